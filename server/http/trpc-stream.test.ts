// The live streams on our own server: SSE straight from /api/trpc (real next-auth cookie, real hub), pings, the
// per-user limit, and no listener left behind after 1,000 tabs opened and closed.
import type { AddressInfo } from "node:net";
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

async function cookieFor(user: Parameters<typeof toSessionUser>[0]) {
  const token = await encode({ token: { ...toSessionUser(user), signedInAt: Date.now(), sid: await startSession(user.id) }, secret: env().NEXTAUTH_SECRET });
  return `next-auth.session-token=${token}`;
}

const url = (path: string, input?: unknown) => `${base}/api/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`}`;

/** Opens a stream and reads until `text` arrived (or the stream ended); returns what was read. */
async function openStream(path: string, cookie: string | null, input?: unknown) {
  const controller = new AbortController();
  const response = await fetch(url(path, input), { headers: { accept: "text/event-stream", ...(cookie ? { cookie } : {}) }, signal: controller.signal });
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
    close: () => controller.abort(),
  };
}

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
  affiliateCookie = await cookieFor(affiliate.user!);
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
