// Every tRPC procedure, called as: nobody, each role, and (for affiliates and merchants) with the ids of another
// owner's rows. Procedures are discovered from appRouter, so ones added later are covered without editing this.
// What must hold:
//   - signed out: UNAUTHORIZED; wrong role: FORBIDDEN (role gates run before input parsing, so junk input too);
//   - own role: never INTERNAL_SERVER_ERROR, whatever the input; invalid input is BAD_REQUEST;
//   - own role with another owner's ids: a refusal, or a result that mentions nothing of the other owner.
// Mutations run with their own role only when their input names an id (filled with the OTHER owner's ids, so a
// correctly scoped mutation does nothing) and never as a manager: program-wide mutations with guessed input could
// disturb test files running in parallel.
import { TRPCError, type AnyProcedure } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { db, getPool } from "../db";
import { env } from "../env";
import { type LiveService, startLive } from "../live";
import { callerFor, createConversion, createManager, createProgram, createWebhookEndpoint } from "../testing/fixtures";
import { appRouter } from "./root";
import { affiliateProcedure, managerProcedure, merchantProcedure, protectedProcedure } from "./trpc";

type Role = "AFFILIATE" | "MANAGER" | "MERCHANT";
type Audience = Role | "SIGNED_IN";

/** Procedures anyone may call without signing in. Adding one here is a deliberate, reviewed decision. */
// The application form and the one-time set-password link are for people without an account (server/accounts).
const PUBLIC: string[] = ["accounts.join", "accounts.token", "accounts.setPassword"];

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>);

const lastGate = (builder: unknown) => (builder as { _def: { middlewares: unknown[] } })._def.middlewares.at(-1);
const GATES: Array<[Audience, unknown]> = [
  ["AFFILIATE", lastGate(affiliateProcedure)],
  ["MANAGER", lastGate(managerProcedure)],
  ["MERCHANT", lastGate(merchantProcedure)],
  ["SIGNED_IN", lastGate(protectedProcedure)],
];

function audienceOf(procedure: AnyProcedure): Audience | "PUBLIC" {
  const middlewares = (procedure._def as unknown as { middlewares: unknown[] }).middlewares;
  return GATES.find(([, gate]) => middlewares.includes(gate))?.[0] ?? "PUBLIC";
}

function call(caller: ReturnType<typeof callerFor>, path: string, input: unknown): Promise<unknown> {
  const fn = path.split(".").reduce<any>((node, key) => node[key], caller);
  return fn(input);
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === "object" && value !== null && Symbol.asyncIterator in value;

/** A subscription's first values (what it sends on connect, e.g. a resumed backlog), then it is closed. */
async function firstValues(iterable: AsyncIterable<unknown>, count = 1): Promise<unknown[]> {
  const iterator = iterable[Symbol.asyncIterator]();
  const values: unknown[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const next = await Promise.race([iterator.next(), new Promise<null>((resolve) => setTimeout(() => resolve(null), 3_000))]);
      if (!next || next.done) break;
      values.push(next.value);
    }
  } finally {
    void iterator.return?.();
  }
  return values;
}

async function outcome(promise: Promise<unknown>): Promise<{ ok: true; data: unknown } | { ok: false; code: string; message: string }> {
  try {
    return { ok: true, data: await promise };
  } catch (error) {
    if (error instanceof TRPCError) return { ok: false, code: error.code, message: error.message };
    return { ok: false, code: `not a TRPCError: ${String(error)}`, message: String(error) };
  }
}

// ---- inputs built from each procedure's zod schema ------------------------------------------------------------

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  format?: string;
  minLength?: number;
  minimum?: number;
  exclusiveMinimum?: number;
};

/** Ids of the other owner's rows, by what a field name says it holds. */
type IdPool = { strings: Record<string, string>; linkId: number };

function idCandidates(key: string, schema: JsonSchema, pool: IdPool): unknown[] | null {
  if (!/(^id$|Id$|Ids$)/.test(key)) return null;
  const kind = key.replace(/Ids?$/, "").toLowerCase();
  const isNumber = schema.type === "integer" || schema.type === "number";
  if (isNumber) return [pool.linkId];
  const wrap = (v: unknown) => (schema.type === "array" ? [v] : v);
  const known = pool.strings[kind];
  return (known ? [known] : Object.values(pool.strings)).map(wrap);
}

function sample(schema: JsonSchema, pool: IdPool, variant: number, key = ""): unknown {
  const ids = idCandidates(key, schema, pool);
  if (ids) return ids[variant % ids.length];
  const choice = schema.anyOf ?? schema.oneOf;
  if (choice) return sample(choice.find((s) => s.type !== "null") ?? choice[0]!, pool, variant, key);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [name, prop] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(name) || idCandidates(name, prop, pool)) out[name] = sample(prop, pool, variant, name);
      }
      return out;
    }
    case "array":
      return schema.minItems ? Array.from({ length: schema.minItems }, () => sample(schema.items ?? {}, pool, variant)) : [];
    case "string":
      if (schema.format === "email") return "someone@example.com";
      if (schema.format === "uri" || schema.format === "url") return "https://example.com/hook";
      if (schema.format === "date-time") return new Date().toISOString();
      return "x".repeat(Math.max(1, schema.minLength ?? 1));
    case "integer":
    case "number":
      return Math.max(1, schema.minimum ?? 1, (schema.exclusiveMinimum ?? 0) + 1);
    case "boolean":
      return false;
    default:
      return new Date(); // dates (and anything JSON Schema cannot express)
  }
}

/** One input per foreign id to try (at least one), or [undefined] for procedures without input. */
function inputsFor(procedure: AnyProcedure, pool: IdPool): unknown[] {
  const parser = (procedure._def as unknown as { inputs: unknown[] }).inputs[0];
  if (!parser) return [undefined];
  let schema: JsonSchema;
  try {
    schema = z.toJSONSchema(parser as z.ZodType, { io: "input", unrepresentable: "any" }) as JsonSchema;
  } catch {
    return [{}];
  }
  const variants = Math.max(1, Object.keys(pool.strings).length);
  const seen = new Set<string>();
  return Array.from({ length: variants }, (_, v) => sample(schema, pool, v)).filter((input) => {
    const key = JSON.stringify(input);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

const hasIdField = (input: unknown) => typeof input === "object" && input !== null && Object.keys(input).some((k) => /(^id$|Ids?$)/.test(k));
const hasInput = (procedure: AnyProcedure) => (procedure._def as unknown as { inputs: unknown[] }).inputs.length > 0;

// ---- the two owners -----------------------------------------------------------------------------------------

let mine: Awaited<ReturnType<typeof createProgram>>;
let theirs: Awaited<ReturnType<typeof createProgram>>;
let theirConversion: Awaited<ReturnType<typeof createConversion>>;
let theirEndpoint: Awaited<ReturnType<typeof createWebhookEndpoint>>;
let theirDeliveryId: string;
let theirPayoutId: string;
/** The other owner's rows as they were before any call: nothing may change them. */
let theirRowsBefore: unknown;
let manager: Awaited<ReturnType<typeof createManager>>;
let foreignIds: IdPool;
let users: Record<Role, Parameters<typeof callerFor>[0]>;
/** What a caller of each role must never see of the other owner. */
let secrets: Record<"AFFILIATE" | "MERCHANT", string[]>;
/** The live stream runs in this process, so subscriptions are called for real. */
let live: LiveService;

afterAll(async () => {
  await live?.stop();
});

beforeAll(async () => {
  live = await startLive({ pool: getPool(), databaseUrl: env().DATABASE_URL });
  [mine, theirs, manager] = await Promise.all([createProgram(), createProgram({ offer: { payoutModel: "REVSHARE", currency: "USD" } }), createManager()]);
  await createConversion(mine.link);
  theirConversion = await createConversion(theirs.link);
  theirEndpoint = await createWebhookEndpoint({ merchantId: theirs.merchant.id, url: "https://hooks.theirs.example/in", description: "their endpoint" });
  theirDeliveryId = (
    await db.webhookDelivery.create({
      data: { endpointId: theirEndpoint.id, eventId: `evt_${theirEndpoint.id}`, eventType: "conversion.created", payload: {}, status: "FAILED", nextAttemptAt: null },
    })
  ).id;
  // A paid payout of theirs (with its run and lane), for the affiliates' statement and the payout procedures.
  const run = await db.payoutRun.create({ data: { periodEnd: new Date(), createdById: theirs.affiliate.user.id, status: "PAID" } });
  const batch = await db.payoutBatch.create({ data: { runId: run.id, method: "PAYPAL", currency: "USD", status: "SETTLED", payoutCount: 1, totalMinor: 1234n } });
  theirPayoutId = (
    await db.payout.create({
      data: { runId: run.id, batchId: batch.id, affiliateId: theirs.affiliate.id, amountMinor: 1234n, currency: "USD", method: "PAYPAL", status: "PAID", cutoff: new Date(), commissionsSettledAt: new Date(), recipient: theirs.affiliate.email, recipientName: theirs.affiliate.name },
    })
  ).id;
  theirRowsBefore = await theirRows();
  users = { AFFILIATE: mine.affiliate.user, MANAGER: manager, MERCHANT: mine.merchantUser };
  foreignIds = {
    strings: {
      offer: theirs.offer.id,
      affiliate: theirs.affiliate.id,
      merchant: theirs.merchant.id,
      conversion: theirConversion.conversion.id,
      commission: theirConversion.commission.id,
      user: theirs.affiliate.user.id,
      endpoint: theirEndpoint.id,
      delivery: theirDeliveryId,
      payout: theirPayoutId,
    },
    linkId: theirs.link.id,
  };
  secrets = {
    AFFILIATE: [theirs.affiliate.id, theirs.affiliate.name, theirs.affiliate.email, theirs.link.slug, theirConversion.conversion.txnId],
    MERCHANT: [theirs.merchant.id, theirs.merchant.name, theirs.offer.id, theirs.offer.name, theirConversion.conversion.txnId, theirEndpoint.id, theirEndpoint.url],
  };
});

/** What the calls with the other owner's ids could have touched. */
function theirRows() {
  return Promise.all([
    db.webhookEndpoint.findUniqueOrThrow({ where: { id: theirEndpoint.id } }),
    db.webhookDelivery.findUniqueOrThrow({ where: { id: theirDeliveryId } }),
    db.commission.findUniqueOrThrow({ where: { id: theirConversion.commission.id } }),
    db.conversion.findUniqueOrThrow({ where: { id: theirConversion.conversion.id } }),
    db.link.findUniqueOrThrow({ where: { id: theirs.link.id } }),
    db.offer.findUniqueOrThrow({ where: { id: theirs.offer.id } }),
    db.merchant.findUniqueOrThrow({ where: { id: theirs.merchant.id } }),
    db.affiliate.findUniqueOrThrow({ where: { id: theirs.affiliate.id } }),
    db.payout.findUniqueOrThrow({ where: { id: theirPayoutId } }),
  ]);
}

describe("every procedure", () => {
  it("is discovered from the router", () => {
    expect(procedures.length).toBeGreaterThanOrEqual(5);
  });

  it.each(procedures.map(([path, p]) => [path, p] as const))("%s: refuses the wrong callers, never fails with a 500", async (path, procedure) => {
    const audience = audienceOf(procedure);
    if (audience === "PUBLIC") {
      expect(PUBLIC, `${path} is callable without signing in: use a role procedure, or list it in PUBLIC`).toContain(path);
      return;
    }

    // Signed out: UNAUTHORIZED, even with input that would not parse.
    for (const input of [undefined, Symbol("junk")]) {
      const result = await outcome(call(callerFor(null), path, input));
      expect(result, `${path} signed out`).toMatchObject({ ok: false, code: "UNAUTHORIZED" });
    }

    for (const role of ["AFFILIATE", "MANAGER", "MERCHANT"] as const) {
      const caller = callerFor(users[role]);
      if (audience !== role && audience !== "SIGNED_IN") {
        for (const input of [undefined, Symbol("junk"), ...inputsFor(procedure, foreignIds)]) {
          const result = await outcome(call(caller, path, input));
          expect(result, `${path} as ${role}`).toMatchObject({ ok: false, code: "FORBIDDEN" });
        }
        continue;
      }
      // Own role, input no schema accepts: BAD_REQUEST (procedures without input ignore it, so skip those).
      if (hasInput(procedure)) {
        const result = await outcome(call(caller, path, Symbol("junk")));
        expect(result, `${path} as ${role} with junk input`).toMatchObject({ ok: false, code: "BAD_REQUEST" });
      }
      const isMutation = procedure._def.type === "mutation";
      for (const input of inputsFor(procedure, foreignIds)) {
        if (isMutation && (role === "MANAGER" || !hasIdField(input))) continue;
        const result = await outcome(call(caller, path, input));
        if (!result.ok) {
          expect(result.code, `${path} as ${role} with ${JSON.stringify(input)}: ${result.message}`).not.toBe("INTERNAL_SERVER_ERROR");
          expect(result.code).not.toMatch(/^not a TRPCError/);
        } else if (role !== "MANAGER") {
          // a subscription: what it sends first (its resume or its starting cursor) must not leak either
          const data = isAsyncIterable(result.data) ? await firstValues(result.data) : result.data;
          const text = JSON.stringify(data, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value)) ?? "";
          for (const secret of secrets[role]) {
            expect(text.includes(secret), `${path} as ${role} with ${JSON.stringify(input)} leaked "${secret}"`).toBe(false);
          }
        }
      }
    }
  });
});

describe("after every procedure was called with the other owner's ids", () => {
  it("the other owner's rows are exactly as they were", async () => {
    expect(await theirRows()).toEqual(theirRowsBefore);
  });
});

describe("owner scoping of the foundation's procedures", () => {
  it("an affiliate sees exactly their own earnings and links", async () => {
    const { link } = mine;
    await createConversion(link, { commission: { amountMinor: 2500, status: "APPROVED" } });
    await createConversion(link, { commission: { amountMinor: 700, status: "PAID" } });
    await createConversion(theirs.link, { commission: { amountMinor: 99_999, status: "APPROVED" } });
    const api = callerFor(mine.affiliate.user);
    expect(await api.affiliate.earnings()).toEqual([{ currency: "EUR", pending: 1000n, held: 0n, approved: 2500n, paid: 700n, reversed: 0n }]);
    const links = await api.links.mine();
    expect(links.map((l) => l.id)).toEqual([link.id]);
    expect(links[0]!.conversions30d).toBe(3);
  });

  it("a merchant lists only their offers and cannot open another merchant's", async () => {
    const api = callerFor(mine.merchantUser);
    expect((await api.merchant.offers()).map((o) => o.id)).toEqual([mine.offer.id]);
    expect((await api.merchant.offer({ id: mine.offer.id })).name).toBe(mine.offer.name);
    await expect(api.merchant.offer({ id: theirs.offer.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(api.merchant.offer({ id: "no-such-offer" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("a merchant user's session without a merchant id is refused, not treated as all merchants", async () => {
    const orphan = { ...mine.merchantUser, merchantId: null };
    await expect(callerFor(orphan).merchant.offers()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("a manager sees the whole program", async () => {
    const overview = await callerFor(manager).manager.overview();
    expect(overview.daily).toHaveLength(30);
    // Both owners' conversions count (other test files add more, so at least).
    expect(overview.conversions).toBeGreaterThanOrEqual(5);
    expect(overview.commissions.map((c) => c.currency)).toEqual(expect.arrayContaining(["EUR", "USD"]));
  });
});

describe("owner scoping of the live stream", () => {
  it("a resumed stream brings an affiliate and a merchant only their own events, a manager everyone's", async () => {
    const cursor = live.hub.lastId;
    // one postback log line per owner: the trigger turns each into a live event for that owner
    for (const [program, conversion] of [[mine, null], [theirs, theirConversion]] as const) {
      const conversionId = conversion?.conversion.id ?? (await db.conversion.findFirstOrThrow({ where: { linkId: program.link.id } })).id;
      await db.postbackLog.create({
        data: { merchantId: program.merchant.id, method: "GET", params: { txn_id: `live-scope-${program.merchant.id}` }, outcome: "ACCEPTED", reasonCode: "created", message: "ok", httpStatus: 200, conversionId },
      });
    }
    await live.hub.settle();
    const resumed = async (user: Parameters<typeof callerFor>[0]) => {
      const stream = await callerFor(user).live.events({ lastEventId: cursor });
      const [first] = (await firstValues(stream as AsyncIterable<unknown>)) as [string, string][];
      return JSON.parse(first![1]) as { kind: string; data: { txnId?: string; conversion?: { affiliateId?: string } } }[];
    };
    const forAffiliate = await resumed(mine.affiliate.user);
    expect(forAffiliate.map((e) => e.data.conversion?.affiliateId)).toEqual([undefined]); // their own sale, without the affiliate id field
    expect(JSON.stringify(forAffiliate)).not.toContain(theirs.link.slug);
    const forMerchant = await resumed(mine.merchantUser);
    expect(forMerchant.map((e) => e.data.txnId)).toEqual([`live-scope-${mine.merchant.id}`]);
    expect(JSON.stringify(forMerchant)).not.toContain(theirs.merchant.id);
    const forManager = await resumed(manager);
    expect(forManager.map((e) => e.data.txnId).sort()).toEqual([`live-scope-${mine.merchant.id}`, `live-scope-${theirs.merchant.id}`].sort());
  });

  it("only managers get the operations stream", async () => {
    await expect(callerFor(mine.affiliate.user).live.operations()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(mine.merchantUser).live.operations()).rejects.toMatchObject({ code: "FORBIDDEN" });
    const [report] = (await firstValues((await callerFor(manager).live.operations()) as AsyncIterable<unknown>)) as [{ components: { id: string }[] }];
    expect(report!.components.map((c) => c.id)).toContain("database");
  });
});
