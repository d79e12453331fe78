import net from "node:net";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getPool } from "../db";
import { env, resetEnvForTests } from "../env";
import { captureLogsForTests } from "../log";
import { createScratchDatabase } from "../testing/scratch-db";
import { startServerProcess } from "../testing/server-process";
import { checkHealth } from "./health";
import { internalMetrics, metrics } from "./metrics";
import { createAppServer } from "./server";

afterAll(closeDb);

async function serve(server: ReturnType<typeof createAppServer>) {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

describe("GET /api/health", () => {
  it("is 200 on a migrated database, 503 'migrating' before the migrations, 503 'unavailable' without a database", async () => {
    expect(await checkHealth(getPool())).toEqual({ status: 200, body: { status: "ok" } });

    const empty = await createScratchDatabase("health");
    const emptyPool = new pg.Pool({ connectionString: empty.url, max: 1 });
    try {
      expect(await checkHealth(emptyPool)).toEqual({ status: 503, body: { status: "migrating", reason: "migrations pending" } });
    } finally {
      await emptyPool.end();
      await empty.drop();
    }

    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve)); // nothing listens there any more
    const nowhere = new pg.Pool({ connectionString: `postgresql://u:p@127.0.0.1:${port}/x`, max: 1, connectionTimeoutMillis: 1_000 });
    nowhere.on("error", () => {});
    try {
      expect(await checkHealth(nowhere)).toEqual({ status: 503, body: { status: "unavailable", reason: "database unreachable" } });
    } finally {
      await nowhere.end();
    }
  });

  it("is served by our server before anything else", async () => {
    const server = createAppServer();
    const base = await serve(server);
    try {
      const res = await fetch(`${base}/api/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ok" });
    } finally {
      server.close();
    }
  });
});

describe("our HTTP server", () => {
  it("answers an unexpected failure with a 500 JSON error that says nothing of the cause", async () => {
    const server = createAppServer({ routes: [{ prefix: "/boom", handle: () => Promise.reject(new Error("secret internals")) }] });
    const base = await serve(server);
    const logs = captureLogsForTests("error");
    try {
      const res = await fetch(`${base}/boom`);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: { code: "internal_error", message: "Something went wrong on our side." } });
    } finally {
      logs.stop();
      server.close();
    }
  });

  it("protects /metrics with METRICS_TOKEN when it is set", async () => {
    const server = createAppServer({ routes: [{ prefix: "/metrics", methods: ["GET"], handle: metrics }] });
    const base = await serve(server);
    const token = "metrics-token-0123456789";
    try {
      expect((await fetch(`${base}/metrics`)).status).toBe(200); // no token configured: open (keep the port private)
      process.env.METRICS_TOKEN = token;
      resetEnvForTests();
      expect(env().METRICS_TOKEN).toBe(token);
      for (const authorization of [undefined, "Bearer wrong-token-0123456789", `Basic ${token}`, token]) {
        const res = await fetch(`${base}/metrics`, { headers: authorization ? { authorization } : {} });
        expect(res.status, authorization).toBe(401);
        expect(res.headers.get("www-authenticate")).toBe("Bearer");
        expect((await res.text()).includes("go_redirects_total")).toBe(false);
      }
      const ok = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
    } finally {
      delete process.env.METRICS_TOKEN;
      resetEnvForTests();
      server.close();
    }
  });
});

describe("production defaults", () => {
  it("refuses /metrics in production without METRICS_TOKEN; the internal port's /metrics is open", async () => {
    const server = createAppServer({ routes: [{ prefix: "/metrics", methods: ["GET"], handle: metrics }] });
    const internal = createAppServer({ routes: [{ prefix: "/metrics", methods: ["GET"], handle: internalMetrics }] });
    const [base, internalBase] = [await serve(server), await serve(internal)];
    const saved = process.env.NODE_ENV;
    try {
      Object.assign(process.env, { NODE_ENV: "production", NEXTAUTH_SECRET: "s".repeat(32), CLICK_ID_SECRET: "c".repeat(32), WEBHOOK_SECRET_KEY: "w".repeat(32) });
      resetEnvForTests();
      const refused = await fetch(`${base}/metrics`);
      expect(refused.status).toBe(403);
      expect((await refused.json()).error.message).toBe("GET /metrics needs METRICS_TOKEN in production (or scrape the internal METRICS_PORT).");
      const open = await fetch(`${internalBase}/metrics`);
      expect(open.status).toBe(200);
      expect(open.headers.get("content-type")).toMatch(/^text\/plain; version=/); // the Prometheus text format
    } finally {
      Object.assign(process.env, { NODE_ENV: saved });
      resetEnvForTests();
      server.close();
      internal.close();
    }
  });

  it("puts the security headers on every response it answers, HSTS only when the public URL is https", async () => {
    const saved = process.env.NEXTAUTH_URL;
    const routes = [{ prefix: "/boom", handle: () => Promise.reject(new Error("x")) }];
    const plain = createAppServer({ routes });
    process.env.NEXTAUTH_URL = "https://aff.example.com";
    const https = createAppServer({ routes });
    const logs = captureLogsForTests("error");
    try {
      for (const [base, hsts] of [[await serve(plain), null], [await serve(https), "max-age=31536000; includeSubDomains"]] as const) {
        for (const path of ["/api/health", "/nowhere", "/boom"]) {
          const res = await fetch(`${base}${path}`);
          expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
          expect(res.headers.get("referrer-policy"), path).toBe("strict-origin-when-cross-origin");
          expect(res.headers.get("x-frame-options"), path).toBe("DENY");
          expect(res.headers.get("content-security-policy"), path).toBe("default-src 'none'; frame-ancestors 'none'");
          expect(res.headers.get("strict-transport-security"), path).toBe(hsts);
        }
      }
    } finally {
      logs.stop();
      if (saved === undefined) delete process.env.NEXTAUTH_URL;
      else process.env.NEXTAUTH_URL = saved;
      plain.close();
      https.close();
    }
  });
});

describe("start-up and signals", () => {
  it("SIGINT right after the migrations (start-up still going) finishes the step in progress, then stops cleanly (exit 0)", async () => {
    const server = await startServerProcess({ readyWhen: /\[db\] migrations/ }); // migrated; the hot paths are starting
    expect(await server.stop("SIGINT")).toBe(0);
    expect(server.output()).toContain("[server] SIGINT: no new requests");
    expect(server.output()).toContain("[server] stopped cleanly");
  }, 30_000);
});
