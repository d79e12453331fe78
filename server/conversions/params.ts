// Postback parameters, as networks send them: a flat bag of strings from the query string, a form or a JSON body.
// Validated with zod into a typed request; everything else about them (the token, what goes to the log) lives here
// too so the HTTP adapters stay thin.
import { isIP } from "node:net";
import { z } from "zod";
import { CLICK_ID_LENGTH } from "../tracking/click-id";
import { MAX_TOUCHES } from "./attribution";
import { PostbackRejection } from "./reasons";

/**
 * Raw parameters after merging query and body. Values are strings (or JSON scalars), anything else is refused.
 * Always a null-prototype object (`rawParams()`): a key such as `__proto__` is then a parameter like any other,
 * never the object's prototype (whose values would be read but not logged).
 */
export type RawParams = Record<string, unknown>;

function rawParams(): RawParams {
  return Object.create(null) as RawParams;
}

/** The query string as parameters: the first of repeated keys wins. */
export function queryParams(query: URLSearchParams): RawParams {
  const params = rawParams();
  for (const [key, value] of query) if (!(key in params)) params[key] = value;
  return params;
}

export const SUB_KEYS = ["sub1", "sub2", "sub3", "sub4", "sub5"] as const;

// Control characters (NUL above all: PostgreSQL text cannot hold it) and broken Unicode (lone surrogates: jsonb
// cannot hold them) are refused rather than repaired: these values identify money.
const text = (max: number) =>
  z
    .string()
    .max(max, { error: `at most ${max} characters` })
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v) && storable(v) === v, {
      error: "control characters and invalid Unicode are not allowed",
    });

/** A click id's shape: CLICK_ID_LENGTH characters of its URL-safe alphabet (the signature is checked later). */
const CLICK_ID_SHAPE = new RegExp(`^[A-Za-z0-9_-]{${CLICK_ID_LENGTH}}$`);

/**
 * `touches`: the customer's earlier click ids, oldest first, comma-separated (what a landing page keeps in a
 * first-party cookie). The list itself must be well formed; each id is then verified like click_id, and one that
 * fails is left out of the touch path (attribution.ts), never refused: payment does not depend on touches.
 */
const touches = z
  .string()
  .max(MAX_TOUCHES * (CLICK_ID_LENGTH + 1), { error: `at most ${MAX_TOUCHES} click ids` })
  .transform((list) => list.split(",").map((id) => id.trim()))
  .pipe(
    z
      .array(z.string().regex(CLICK_ID_SHAPE, { error: `each entry must be a click id we issued (${CLICK_ID_LENGTH} characters), separated by commas` }))
      .max(MAX_TOUCHES, { error: `at most ${MAX_TOUCHES} click ids` }),
  );

const schema = z.object({
  click_id: text(64).optional(),
  txn_id: text(128).optional(),
  amount: z.string().optional(), // checked by parseAmount, which knows the currency
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, { error: "a 3-letter ISO 4217 code, e.g. EUR" })
    .transform((c) => c.toUpperCase())
    .optional(),
  status: z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(["approved", "pending", "refunded"], { error: "one of approved, pending, refunded" }))
    .optional(),
  event: text(64).optional(),
  customer_id: text(128).optional(),
  ip: z
    .string()
    .refine((v) => isIP(v) !== 0, { error: "an IPv4 or IPv6 address" })
    .optional(),
  sub1: text(255).optional(),
  sub2: text(255).optional(),
  sub3: text(255).optional(),
  sub4: text(255).optional(),
  sub5: text(255).optional(),
  touches: touches.optional(),
  test: z
    .enum(["1", "true", "0", "false"], { error: "1 or 0" })
    .transform((v) => v === "1" || v === "true")
    .optional(),
});

export type PostbackParams = z.infer<typeof schema> & { txn_id: string };

/** A value that is empty or an unreplaced macro such as "{sub1}" means "not sent": networks send both. */
const UNSET = /^(\{[A-Za-z0-9_]*\}|\[[A-Za-z0-9_]*\]|%[A-Za-z0-9_]*%)?$/;

export const isUnset = (value: string) => UNSET.test(value);

/** JSON numbers are accepted for numeric fields when their shortest decimal form is exact (≤ 15 digits). */
function scalarToString(key: string, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) {
    const text = String(value);
    if (/^\d+(\.\d+)?$/.test(text) && text.replace(/\D/g, "").replace(/^0+/, "").length <= 15) return text;
    throw new PostbackRejection(key === "amount" ? "bad_amount" : "invalid_params", `${key}: send this number as a string (it cannot be read exactly)`);
  }
  throw new PostbackRejection("invalid_params", `${key}: must be a string`);
}

/** Validates the bag of parameters; unknown keys are ignored (networks add their own). */
export function parsePostbackParams(raw: RawParams): PostbackParams {
  const known: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = scalarToString(key, raw[key]);
    if (value !== undefined && !isUnset(value)) known[key] = value;
  }
  const result = schema.safeParse(known);
  if (!result.success) {
    const details = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new PostbackRejection("invalid_params", details);
  }
  if (!result.data.txn_id) throw new PostbackRejection("invalid_params", "txn_id: required (the merchant's order or transaction id)");
  return result.data as PostbackParams;
}

/** The merchant's token: x-postback-token header, then Authorization: Bearer, then the `token` parameter. */
export function extractToken(headers: { get(name: string): string | null | undefined }, raw: RawParams): string | null {
  const header = headers.get("x-postback-token")?.trim();
  if (header) return header;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "")?.[1];
  if (bearer) return bearer;
  const param = raw.token;
  return typeof param === "string" && param.trim() ? param.trim() : null;
}

const LOG_MAX_KEYS = 40;
const LOG_MAX_VALUE = 256;

/**
 * What the postback log keeps of the request: every parameter except the token, each value cut to 256 characters,
 * made storable (well-formed Unicode, no NUL) so even a malformed postback is logged as received.
 */
export function paramsForLog(raw: RawParams): Record<string, string> {
  const out = rawParams() as Record<string, string>;
  for (const [key, value] of Object.entries(raw).slice(0, LOG_MAX_KEYS + 1)) {
    if (key.toLowerCase() === "token") continue;
    const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
    // Cut first, then clean: a cut can split a surrogate pair, which storable() repairs.
    out[storable(key.slice(0, 64))] = storable(text.slice(0, LOG_MAX_VALUE));
    if (Object.keys(out).length >= LOG_MAX_KEYS) break;
  }
  return out;
}

/** Text PostgreSQL accepts in text and jsonb: no NUL, no lone surrogates. */
export function storable(value: string): string {
  return value.replace(LONE_SURROGATE_OR_NUL, "\uFFFD");
}

const LONE_SURROGATE_OR_NUL = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/g;
