// The live streams on our own server: SSE straight from /api/trpc (real next-auth cookie, real hub), pings, the
// per-user limit, and no listener left behind after 1,000 tabs opened and closed. live.events is written by our own
// SSE writer (server/live/sse.ts): what it sends must read, event for event, as what tRPC's producer sends, resume
// from either cursor tRPC's client sends, and stay scoped by role.
import type { AddressInfo } from "node:net";
import { tracked } from "@trpc/server";
import { sseStreamProducer } from "@trpc/server/unstable-core-do-not-import";
import { encode } from "next-auth/jwt";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toSessionUser } from "../auth/options";
import { startSession } from "../auth/sessions";
import { env } from "../env";
import { getPool } from "../db";
import { startLive, type LiveService } from "../live";
import { liveStreamRoute } from "../live/route";
import { createAffiliate, createManager } from "../testing/fixtures";
import { closeServer, createAppServer } from "./server";
import { streamCounter } from "./trpc-stream";

const PER_USER = 3;
let live: LiveService;
let server: ReturnType<typeof createAppServer>;
let base: string;
let managerCookie: string;
let affiliateCookie: string;
let affiliateId: string;
let otherAffiliateCookie: string;

async function cookieFor(user: Parameters<typeof toSessionUser>[0]) {
  const token = await encode({ token: { ...toSessionUser(user), signedInAt: Date.now(), sid: await startSession(user.id) }, secret: env().NEXTAUTH_SECRET });
  return `next-auth.session-token=${token}`;
}

const url = (path: string, input?: unknown) => `${base}/api/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`}`;

/** Opens a stream and reads until `text` arrived (or the stream ended); returns what was read. */
async function openStream(path: string, cookie: string | null, input?: unknown, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url(path, input), { headers: { accept: "text/event-stream", ...(cookie ? { cookie } : {}), ...headers }, signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  return {
    response,
    async until(wanted: string, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!text.includes(wanted)) {
        if (Date.now() > deadline) throw new Error(`"${wanted}" not received; got: ${text.slice(0, 500)}`);
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      return text;
    },
    /** Reads for `ms` more, then returns everything received. */
    async received(ms: number) {
      const timer = setTimeout(() => controller.abort(), ms);
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
      } catch {
        // aborted: the time is up
      }
      clearTimeout(timer);
      return text;
    },
    close: () => controller.abort(),
  };
}

/** SSE text as an EventSource dispatches it: one entry per event with data (comments and blank lines dropped). */
function sseEvents(text: string) {
  const events: { event: string; data: string; id: string | undefined }[] = [];
  let current: { event?: string; data: string[]; id?: string } = { data: [] };
  for (const line of text.split("\n")) {
    if (line === "") {
      if (current.data.length) events.push({ event: current.event ?? "message", data: current.data.join("\n"), id: current.id });
      current = { data: [] };
      continue;
    }
    const colon = line.indexOf(":");
    if (colon === 0) continue;
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "data") current.data.push(value);
    else if (field === "id") current.id = value;
    else if (field === "event") current.event = value;
  }
  return events;
}

/** The batches of tracked messages in SSE text: their ids and events. */
const batchesIn = (text: string) =>
  sseEvents(text)
    .filter((e) => e.event === "message")
    .map((e) => ({ id: e.id!, events: JSON.parse(superjson.deserialize<string>(JSON.parse(e.data))) as { id: string; kind: string; data: Record<string, unknown> }[] }));

const insertEvent = async (kind: string, data: object, affiliate: string | null = null) => {
  const { rows } = await getPool().query<{ id: string }>(`INSERT INTO live_events (kind, "affiliateId", data) VALUES ($1, $2, $3) RETURNING id::text`, [kind, affiliate, data]);
  await getPool().query(`SELECT pg_notify('live', '')`);
  return rows[0]!.id;
};

async function until(check: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  live = await startLive({ pool: getPool(), databaseUrl: env().DATABASE_URL });
  server = createAppServer({ routes: [liveStreamRoute(PER_USER)] });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  managerCookie = await cookieFor(await createManager());
  const affiliate = await createAffiliate();
  affiliateId = affiliate.id;
  affiliateCookie = await cookieFor(affiliate.user!);
  otherAffiliateCookie = await cookieFor((await createAffiliate()).user!);
});

afterAll(async () => {
  await closeServer(server, 500);
  await live.stop();
});

describe("live streams on our server", () => {
  it("streams tracked events as SSE, unbuffered, with the starting cursor first", async () => {
    const stream = await openStream("live.events", managerCookie, {});
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get("content-type")).toContain("text/event-stream");
    expect(stream.response.headers.get("x-accel-buffering")).toBe("no");
    const text = await stream.until(`id: ${live.hub.lastId}`);
    expect(text).toContain("event: connected"); // tRPC's first message: the client's reconnect settings
    await getPool().query(`INSERT INTO live_events (kind, data) VALUES ('payout', '{"runId":"sse-test"}'); SELECT pg_notify('live', '')`);
    await stream.until("sse-test");
    stream.close();
  });

  it("live.events reads, event for event, as tRPC's own SSE producer would send it", async () => {
    const stream = await openStream("live.events", managerCookie, {});
    await stream.until(`id: ${live.hub.lastId}`);
    const id = await insertEvent("payout", { runId: "wire-test" });
    const text = await stream.until(`id: ${id}`);
    stream.close();
    const ours = sseEvents(text);
    // the same values through tRPC's producer, with the router's settings and transformer
    const values = batchesIn(text).map((b) => tracked(b.id, JSON.stringify(b.events)));
    const producer = sseStreamProducer({
      data: (async function* () {
        yield* values;
      })(),
      serialize: (v) => superjson.serialize(v),
      client: { reconnectAfterInactivityMs: 25_000 },
    });
    let theirs = "";
    const decoder = new TextDecoder();
    for await (const chunk of producer as unknown as AsyncIterable<Uint8Array>) theirs += decoder.decode(chunk, { stream: true });
    expect(ours).toEqual(sseEvents(theirs).filter((e) => e.event !== "return"));
    expect(ours[0]).toEqual({ event: "connected", data: JSON.stringify({ reconnectAfterInactivityMs: 25_000 }), id: undefined });
    expect(batchesIn(text).at(-1)!.events).toEqual([expect.objectContaining({ id, kind: "payout", data: { runId: "wire-test" } })]);
  });

  it("live.events resumes from the Last-Event-ID header or the input's lastEventId: what was missed, no repeat", async () => {
    const from = await insertEvent("payout", { runId: "resume-0" });
    const missed = [await insertEvent("payout", { runId: "resume-1" }), await insertEvent("payout", { runId: "resume-2" })];
    await live.hub.settle();
    for (const open of [() => openStream("live.events", managerCookie, {}, { "last-event-id": from }), () => openStream("live.events", managerCookie, { lastEventId: from })]) {
      const stream = await open();
      const text = await stream.until(`id: ${missed[1]}`);
      stream.close();
      const events = batchesIn(text).flatMap((b) => b.events);
      expect(events.map((e) => e.id)).toEqual(missed);
      expect(batchesIn(text)[0]!.id).toBe(live.hub.lastId);
    }
  });

  it("live.events is scoped: an affiliate gets only their own events, in their view; managers everything", async () => {
    const manager = await openStream("live.events", managerCookie, {});
    const mine = await openStream("live.events", affiliateCookie, {});
    const other = await openStream("live.events", otherAffiliateCookie, {});
    for (const s of [manager, mine, other]) await s.until(`id: ${live.hub.lastId}`);
    const flagged = await insertEvent("fraud.flag", { code: "fast_conversion", explanation: "from 203.0.113.9" }, affiliateId);
    const last = await insertEvent("payout", { runId: "scope-test" });
    const [m, a, o] = await Promise.all([manager.until(`id: ${last}`), mine.until("fraud.flag"), other.received(1_500)]);
    for (const s of [manager, mine, other]) s.close();
    expect(batchesIn(m).flatMap((b) => b.events)).toEqual([
      expect.objectContaining({ id: flagged, kind: "fraud.flag", data: { code: "fast_conversion", explanation: "from 203.0.113.9" } }),
      expect.objectContaining({ id: last, kind: "payout" }),
    ]);
    expect(batchesIn(a).flatMap((b) => b.events)).toEqual([expect.objectContaining({ id: flagged, kind: "fraud.flag", data: {} })]);
    expect(a).not.toContain("203.0.113.9");
    expect(batchesIn(o).flatMap((b) => b.events)).toEqual([]); // the starting cursor, then no batch at all
    expect(batchesIn(o)).toHaveLength(1);
  });

  it("live.events with an input it cannot read is left to tRPC, which refuses it", async () => {
    const stream = await openStream("live.events", managerCookie, { lastEventId: "not-a-number" });
    const text = await stream.until("BAD_REQUEST");
    expect(text).toContain("event: serialized-error");
    stream.close();
    await until(() => streamCounter().total === 0 && live.hub.subscriberCount === 0);
  });

  it("an affiliate cannot open the operations stream; a stranger no stream at all", async () => {
    // tRPC answers a refused subscription on the stream itself: one serialized error, then the end
    const forbidden = await openStream("live.operations", affiliateCookie);
    const refusal = await forbidden.until("FORBIDDEN");
    expect(refusal).toContain("event: serialized-error");
    expect(refusal).not.toContain("overall");
    forbidden.close();
    const stranger = await openStream("live.events", null, {});
    expect(await stranger.until("UNAUTHORIZED")).toContain("event: serialized-error");
    stranger.close();
    await until(() => streamCounter().total === 0);
  });

  it(`refuses a user's stream beyond ${PER_USER} with 429, and takes it once one is closed`, async () => {
    const open = await Promise.all(Array.from({ length: PER_USER }, () => openStream("live.events", affiliateCookie, {})));
    for (const s of open) await s.until("id: ");
    const refused = await fetch(url("live.events", {}), { headers: { accept: "text/event-stream", cookie: affiliateCookie } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect((await refused.json()).error.code).toBe("too_many_streams");
    // another user is not affected
    const other = await openStream("live.events", managerCookie, {});
    await other.until("id: ");
    other.close();
    open[0]!.close();
    await until(() => streamCounter().total === PER_USER - 1);
    const again = await openStream("live.events", affiliateCookie, {});
    expect(again.response.status).toBe(200);
    again.close();
    for (const s of open.slice(1)) s.close();
    await until(() => streamCounter().total === 0 && live.hub.subscriberCount === 0);
  });

  it("releases every listener after 1,000 tabs opened and closed", async () => {
    const baseline = { hub: live.hub.subscriberCount, ops: live.monitor.listenerCount };
    for (let i = 0; i < 1_000; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, j) => {
          const ops = (i + j) % 2 === 0;
          const stream = await openStream(ops ? "live.operations" : "live.events", managerCookie, ops ? undefined : {});
          await stream.until(ops ? "overall" : "id: ");
          stream.close();
        }),
      );
    }
    await until(() => streamCounter().total === 0 && live.hub.subscriberCount === baseline.hub && live.monitor.listenerCount === baseline.ops, 10_000);
    expect(server.listenerCount("request")).toBe(1);
  }, 120_000);
});
