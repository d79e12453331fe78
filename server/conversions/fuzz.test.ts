// Fuzz: 1,200 malformed postbacks, each broken in at least one way that must be refused, wrapped in random noise.
// Expected: every answer a 4xx with a reason code (never 2xx, never 5xx), no conversion, commission or outbox row
// written, and every postback logged (postback_logs rows ARE expected: every postback is logged, with its reason).
import fc from "fast-check";
import { isIP } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../db";
import { clickIdFor, createLink, createProgram, unique } from "../testing/fixtures";
import { createClickIdCodec } from "../tracking/click-id";
import { SUPPORTED_CURRENCIES } from "../money/amount";
import { DAY_MS } from "./attribution";
import { isUnset } from "./params";
import { type PostbackClient, startPostbackServer } from "./testing";

const RUNS = 1_200;

interface FuzzRequest {
  method: "GET" | "POST";
  contentType: string | null;
  query: Record<string, string>;
  body: string | null;
  headers: Record<string, string>;
}

let api: PostbackClient;
let program: Awaited<ReturnType<typeof createProgram>>;
let foreignLinkId: number;

beforeAll(async () => {
  api = await startPostbackServer({}, null); // the core's answers: the failure limits are server/security's tests
  program = await createProgram({ offer: { payoutModel: "REVSHARE", attributionWindowDays: 30 } });
  foreignLinkId = (await createLink()).id;
});
afterAll(() => api.close());

const junk = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", " ", "\u0000", "\ud800", "'; DROP TABLE conversions; --", "{{7*7}}", "%00", "null", "[]", "1e309", "-0", "NaN"),
);
const notDecimal = junk.filter((s) => !/^\d+(\.\d+)?$/.test(s));
/** Junk that is sent (not empty, not an unreplaced macro, which both mean "absent"). */
const present = junk.filter((s) => !isUnset(s));
const noiseKey = fc.constantFrom("sub1", "sub2", "sub3", "sub4", "sub5", "event", "customer_id", "foo", "utm_source", "__proto__", "constructor", "amount ", "Token");

type Params = Record<string, string>;
type Breaker = (p: Params) => fc.Arbitrary<Partial<FuzzRequest> & { params: Params }>;

const breakers: Breaker[] = [
  (p) => fc.constant({ params: omit(p, "token") }),
  (p) => fc.string({ minLength: 1, maxLength: 60 }).filter((t) => t.trim() !== "" && t !== program.merchant.postbackToken).map((token) => ({ params: { ...p, token } })),
  (p) => fc.constantFrom("", "{txn_id}", "[txn_id]", "%txn_id%").map((txn) => ({ params: { ...p, txn_id: txn } })),
  (p) => fc.oneof(fc.string({ minLength: 129, maxLength: 300 }), fc.constant("order\u0007bell"), fc.constant("a\u0000b")).map((txn) => ({ params: { ...p, txn_id: txn } })),
  (p) => present.map((click) => ({ params: { ...p, click_id: click } })),
  (p) => fc.nat({ max: 29 }).map((i) => ({ params: { ...p, click_id: alter(p.click_id!, i) } })),
  (p) => fc.constant({ params: { ...p, click_id: createClickIdCodec("attacker-secret-0123456789abcdefghijkl").sign(program.link.id) } }),
  (p) => fc.constant({ params: { ...p, click_id: clickIdFor(foreignLinkId) } }),
  (p) => fc.integer({ min: 1, max: 365 }).map((days) => ({ params: { ...p, click_id: clickIdFor(program.link.id, new Date(Date.now() - (30 + days) * DAY_MS)) } })),
  (p) => notDecimal.map((amount) => ({ params: { ...p, amount } })),
  (p) => fc.constantFrom("49.901", "-10.00", "+1", "1e3", "21474836.48", "99999999999999999999", "1,00", "0x10").map((amount) => ({ params: { ...p, amount } })),
  (p) => fc.constant({ params: omit(p, "amount") }), // a revenue share needs the amount
  (p) => fc.oneof(fc.stringMatching(/^[A-Za-z]{3}$/), present).filter((c) => !Object.hasOwn(SUPPORTED_CURRENCIES, c.toUpperCase())).map((currency) => ({ params: { ...p, currency } })),
  (p) => present.filter((s) => !["approved", "pending", "refunded"].includes(s.toLowerCase())).map((status) => ({ params: { ...p, status } })),
  (p) => fc.constant({ params: { ...p, status: "refunded" } }), // refund of an unknown transaction
  (p) => present.filter((s) => isIP(s) === 0).map((ip) => ({ params: { ...p, ip } })),
  (p) => fc.constantFrom("\u0001", "x".repeat(300), "tab\there").map((v) => ({ params: { ...p, sub3: v } })),
  (p) => fc.constantFrom("{not json", "[1,2]", "\"text\"", "null", JSON.stringify({ ...p, amount: { value: 1 } }), JSON.stringify({ ...p, txn_id: [1] }), JSON.stringify({ ...p, amount: 1e21 })).map((body) => ({ params: {}, method: "POST" as const, contentType: "application/json", body })),
  (p) => fc.constantFrom("text/plain", "application/xml", "multipart/form-data; boundary=x").map((contentType) => ({ params: {}, method: "POST" as const, contentType, body: JSON.stringify(p) })),
  (p) => fc.constant({ params: {}, method: "POST" as const, contentType: "application/json", body: JSON.stringify({ ...p, pad: "x".repeat(20_000) }) }),
];

function omit(p: Params, key: string): Params {
  const { [key]: _, ...rest } = p;
  return rest;
}

function alter(id: string, i: number): string {
  return id.slice(0, i) + (id[i] === "A" ? "B" : "A") + id.slice(i + 1);
}

function requests(runId: string): FuzzRequest[] {
  const valid = (): Params => ({ token: program.merchant.postbackToken, click_id: clickIdFor(program.link.id), txn_id: unique("fz"), amount: "10.00", currency: "EUR" });
  const arb = fc
    .tuple(fc.nat({ max: breakers.length - 1 }), fc.dictionary(noiseKey, junk, { maxKeys: 4 }), fc.constantFrom<"GET" | "POST-json" | "POST-form" | "header-token">("GET", "POST-json", "POST-form", "header-token"))
    .chain(([i, noise, transport]) => {
      // Noise first, so the breaker's own value wins where they overlap (the noise must not repair the break).
      const base = { ...noise, ...valid() };
      return breakers[i]!(base).map((broken) => ({ broken, transport }));
    })
    .map(({ broken, transport }): FuzzRequest => {
      const marker = { fuzz: runId };
      if (broken.method === "POST") return { method: "POST", contentType: broken.contentType ?? null, query: marker, body: broken.body ?? "", headers: {} };
      const params = broken.params;
      if (transport === "POST-json") return { method: "POST", contentType: "application/json", query: marker, body: JSON.stringify(params), headers: {} };
      if (transport === "POST-form") return { method: "POST", contentType: "application/x-www-form-urlencoded", query: marker, body: new URLSearchParams(params).toString(), headers: {} };
      if (transport === "header-token" && params.token !== undefined) {
        const { token, ...rest } = params;
        // Header values cannot carry every character: those go in the query instead.
        if (/^[\x21-\x7e]+$/.test(token)) return { method: "GET", contentType: null, query: { ...marker, ...rest }, body: null, headers: { "x-postback-token": token } };
      }
      return { method: "GET", contentType: null, query: { ...marker, ...params }, body: null, headers: {} };
    });
  return fc.sample(arb, { numRuns: RUNS, seed: 20261121 });
}

async function send(request: FuzzRequest): Promise<{ status: number; body: any }> {
  const query = `?${new URLSearchParams(request.query)}`;
  if (request.method === "GET") {
    const res = await fetch(`${api.baseUrl}${query}`, { headers: request.headers });
    return { status: res.status, body: await res.json().catch(() => null) };
  }
  return api.post(request.body ?? "", request.contentType, request.headers, query);
}

describe("postback fuzz", () => {
  it(`refuses ${RUNS} malformed postbacks with 4xx, writes no conversion, and logs every one`, async () => {
    const runId = unique("fuzz");
    const all = requests(runId);
    const answers: Array<{ request: FuzzRequest; status: number; body: any }> = [];
    for (let i = 0; i < all.length; i += 20) {
      const batch = all.slice(i, i + 20);
      answers.push(...(await Promise.all(batch.map(async (request) => ({ request, ...(await send(request)) })))));
    }

    const wrong = answers.filter((a) => a.status < 400 || a.status >= 500 || typeof a.body?.error?.code !== "string");
    expect(wrong.slice(0, 5)).toEqual([]);
    const codes = new Set(answers.map((a) => a.body.error.code));
    for (const code of ["missing_token", "wrong_token", "invalid_params", "forged_click", "click_not_for_merchant", "outside_attribution_window", "bad_amount", "unknown_currency", "unknown_transaction", "unsupported_media_type", "payload_too_large"]) {
      expect(codes, code).toContain(code);
    }

    const merchantId = program.merchant.id;
    expect(await db.conversion.count({ where: { merchantId } })).toBe(0);
    expect(await db.commission.count({ where: { affiliateId: program.affiliate.id } })).toBe(0);
    expect(await db.outboxEvent.count({ where: { merchantId } })).toBe(0);
    // Identical refusals share a row (store.ts): every one is counted in its row's repeatCount.
    const logged = await db.postbackLog.groupBy({ by: ["outcome"], where: { params: { path: ["fuzz"], equals: runId } }, _sum: { repeatCount: true } });
    expect(logged).toEqual([{ outcome: "REJECTED", _sum: { repeatCount: RUNS } }]);
  }, 120_000);
});
