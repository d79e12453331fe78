// npm run bench:live — the live stream under load. Our server (SERVE_NEXT=0, NODE_ENV=production, fraud checks on,
// webhook relay off, a fresh database of its own) takes postbacks and /go clicks at a steady rate while N live
// subscribers (half managers, half affiliates, each its own user, real next-auth cookies) hold SSE streams:
//   1. latency, for N = 0, 10, 100: commit → event received. A postback's answer comes after its commit, so the
//      answer's arrival stands for the commit (it is at most the answer's trip later); the event's arrival on a
//      probe subscriber's socket, parsed, is "the browser". Up to 10 probes parse everything (half managers, half
//      affiliates); the other subscribers read their bytes and drop them (the server's work is the same). Also the
//      server's and PostgreSQL's CPU, and the events per second the stream carried.
//   2. postback throughput, closed loop (8 clients, as bench:postback), with 0 and with 100 subscribers, in
//      alternating rounds: the median ratio must stay ≥ 0.9.
// Last line: `live: p95 <ms> ms commit→browser at <events>/s with <n> subscribers` and whether the goal is met
// (p95 ≤ 1 s at ≥ 1,000 events/s with 100 subscribers, throughput ratio ≥ 0.9). Figures to bench/RESULTS.md, "## Live".
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { ensureLocalSecrets } from "../server/local-secrets";
import { startServerProcess } from "../server/testing/server-process";
import { cpuSeconds, postgresSeconds } from "./lib/cpu";
import { programSql } from "./lib/program";
import { benchDatabase, machine, stamp, writeSection } from "./lib/report";

const SUBSCRIBERS = (process.env.BENCH_SUBSCRIBERS ?? "0,10,100").split(",").map(Number);
const POSTBACKS_PER_S = Number(process.env.BENCH_POSTBACKS_PER_S ?? 300);
const CLICKS_PER_S = Number(process.env.BENCH_CLICKS_PER_S ?? 1_500);
/** Affiliates, one link each: every one clicked each second gives one click-summary event per second. */
const AFFILIATES = Number(process.env.BENCH_AFFILIATES ?? 750);
const PHASE_S = Number(process.env.BENCH_PHASE_S ?? 20);
const THROUGHPUT_COUNT = Number(process.env.BENCH_THROUGHPUT_COUNT ?? 3_000);
const THROUGHPUT_ROUNDS = Number(process.env.BENCH_THROUGHPUT_ROUNDS ?? 3);
const THROUGHPUT_CLIENTS = 8;
const TOKEN = `pbt_bench_${randomUUID().replaceAll("-", "")}`;
const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

const quantile = (values: number[], q: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const median = (values: number[]) => quantile(values, 0.5);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function seed(url: string, hash: string, prefix: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`${programSql({ tokenHash: hash, tokenPrefix: prefix, affiliates: AFFILIATES })}
    INSERT INTO users (id, email, name, "passwordHash", role, "affiliateId")
      SELECT 'u-a-' || i, 'u' || i || '@bench.test', 'Affiliate user ' || i, 'x', 'AFFILIATE', 'a-' || i FROM generate_series(1, ${AFFILIATES}) AS i;
    INSERT INTO users (id, email, name, "passwordHash", role)
      SELECT 'u-m-' || i, 'm' || i || '@bench.test', 'Manager ' || i, 'x', 'MANAGER' FROM generate_series(1, 100) AS i;
    INSERT INTO user_sessions (id, "userId") SELECT 's-' || id, id FROM users WHERE id LIKE 'u-_-%';`);
  const { rows } = await client.query<{ id: number; slug: string; affiliateId: string }>(`SELECT id, slug, "affiliateId" FROM links ORDER BY id`);
  await client.end();
  return rows;
}

/** The subscribers, in a process of their own (bench/live-subscribers.ts). */
interface Subscribers {
  /** Stops them; what the probes saw: per probe, txn_id → wall-clock ms of its event. */
  stop(): Promise<{ probes: { role: string; received: Record<string, number>; events: number }[]; bytes: number; cpuSeconds: number }>;
}

async function subscribers(base: string, n: number): Promise<Subscribers> {
  const out = path.join(os.tmpdir(), `bench-live-${process.pid}-${n}-${Date.now()}.json`);
  const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "live-subscribers.ts")], {
    env: { ...process.env, BENCH_BASE: base, BENCH_N: String(n), BENCH_OUT: out },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
    child.once("exit", (code) => reject(new Error(`the subscribers exited (${code}) before they were ready`)));
  });
  const cpu0 = cpuSeconds(child.pid!);
  return {
    async stop() {
      const cpu = cpuSeconds(child.pid!) - cpu0;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      const seen = JSON.parse(readFileSync(out, "utf8"));
      rmSync(out, { force: true });
      return { ...seen, cpuSeconds: cpu };
    },
  };
}

function get(agent: http.Agent, url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers, timeout: 30_000 }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      })
      .on("timeout", function (this: http.ClientRequest) {
        this.destroy(new Error(`no answer within 30 s: ${url.slice(0, 80)}`));
      })
      .on("error", reject);
  });
}

async function main() {
  ensureLocalSecrets();
  const database = await benchDatabase("bench_live");
  process.env.DATABASE_URL = database.url;
  const { hashPostbackToken } = await import("../server/merchants/postback-token");
  const { createClickIdCodec } = await import("../server/tracking/click-id");
  const { env } = await import("../server/env");
  const links = await seed(database.url, hashPostbackToken(TOKEN), TOKEN.slice(0, 6));
  const codec = createClickIdCodec(env().CLICK_ID_SECRET);

  const server = await startServerProcess({
    env: { DATABASE_URL: database.url, NODE_ENV: "production", WEBHOOK_RELAY: "0", TRUST_PROXY: "1", LINK_RESYNC_MS: "600000" },
  });
  const serverPid = server.child.pid!;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const clickAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const phases: { n: number; seconds: number; latencies: number[]; events: number; postbacks: number; clicks: number; serverCpu: number; pgCpu: number | null; missing: number; subscriberCpu: number }[] = [];
  const throughput: { n: number; perSecond: number }[] = [];
  let seq = 0;
  /** Sends one postback for a click of a random link ten minutes ago; resolves with its txn_id once answered. */
  const postback = async (prefix: string, answered?: Map<string, number>) => {
    const i = seq++;
    const link = links[(i * 7919) % links.length]!;
    const txn = `${prefix}-${i}`;
    const query = new URLSearchParams({ token: TOKEN, txn_id: txn, click_id: codec.sign(link.id, Date.now() - 600_000), amount: "49.90", currency: "EUR" });
    const res = await get(agent, `${server.url}/api/postback?${query}`);
    if (res.status !== 200) throw new Error(`postback answered ${res.status}: ${res.body}`);
    answered?.set(txn, Date.now());
    return txn;
  };
  const click = (i: number) => {
    const link = links[i % links.length]!;
    const ip = `81.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    return get(clickAgent, `${server.url}/go/${link.slug}`, { "user-agent": `${BROWSER_UA} ${i % 97}`, "x-forwarded-for": ip });
  };

  try {
    // warm-up: caches, prepared statements, JIT
    console.log(`[live] server ready on ${server.url}; warming up`);
    for (let i = 0; i < 300; i++) await postback("warm");
    await Promise.all(Array.from({ length: 600 }, (_, i) => click(i)));
    console.log("[live] warm");

    // ----- 1. steady load, latency and CPU per subscriber count -----
    for (const n of SUBSCRIBERS) {
      const subs = await subscribers(server.url, n);
      console.log(`[live] ${n} subscribers connected`);
      await sleep(1_000);
      const answered = new Map<string, number>();
      const inFlight = new Set<Promise<unknown>>();
      const clicksInFlight = new Set<Promise<unknown>>();
      const started = performance.now();
      const cpu0 = cpuSeconds(serverPid);
      const pg0 = postgresSeconds(database.postmaster);
      let sentPostbacks = 0;
      let sentClicks = 0;
      while (performance.now() - started < PHASE_S * 1000) {
        const elapsed = (performance.now() - started) / 1000;
        const due = (rate: number, sent: number) => Math.floor(rate * elapsed) - sent;
        for (let k = due(POSTBACKS_PER_S, sentPostbacks); k > 0 && inFlight.size < 200; k--, sentPostbacks++) {
          const p = postback(`live${n}`, answered).finally(() => inFlight.delete(p));
          inFlight.add(p);
        }
        for (let k = due(CLICKS_PER_S, sentClicks); k > 0 && clicksInFlight.size < 400; k--, sentClicks++) {
          const p = click(sentClicks).finally(() => clicksInFlight.delete(p));
          clicksInFlight.add(p);
        }
        await sleep(5);
      }
      await Promise.all([...inFlight, ...clicksInFlight]);
      const seconds = (performance.now() - started) / 1000;
      const serverCpu = (cpuSeconds(serverPid) - cpu0) / seconds;
      const pg1 = postgresSeconds(database.postmaster);
      await sleep(2_000); // the last events reach the subscribers
      const seen = await subs.stop();
      const latencies: number[] = [];
      let missing = 0;
      const managerProbes = seen.probes.filter((p) => p.role === "MANAGER");
      for (const probe of seen.probes) {
        for (const [txn, at] of Object.entries(probe.received)) {
          const committed = answered.get(txn);
          if (committed !== undefined) latencies.push(Math.max(0, at - committed));
        }
      }
      for (const probe of managerProbes) for (const txn of answered.keys()) if (probe.received[txn] === undefined) missing++;
      const events = managerProbes.length ? median(managerProbes.map((p) => p.events)) / seconds : 0;
      phases.push({ n, seconds, latencies, events, postbacks: sentPostbacks / seconds, clicks: sentClicks / seconds, serverCpu, pgCpu: pg0 === null || pg1 === null ? null : (pg1 - pg0) / seconds, missing, subscriberCpu: seen.cpuSeconds / seconds });
      console.log(`[live] ${n} subscribers: ${latencies.length} samples, p95 ${quantile(latencies, 0.95).toFixed(0)} ms, ${events.toFixed(0)} events/s, server CPU ${(serverCpu * 100).toFixed(0)} %, missing ${missing}`);
      await sleep(1_000);
    }

    // ----- 2. postback throughput, closed loop, with 0 and 100 subscribers in alternating rounds -----
    const most = Math.max(...SUBSCRIBERS);
    for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
      for (const n of [0, most]) {
        const subs = await subscribers(server.url, n);
        await sleep(500);
        let left = THROUGHPUT_COUNT;
        const started = performance.now();
        await Promise.all(
          Array.from({ length: THROUGHPUT_CLIENTS }, async () => {
            while (left-- > 0) await postback(`tp${n}.${round}`);
          }),
        );
        const perSecond = THROUGHPUT_COUNT / ((performance.now() - started) / 1000);
        throughput.push({ n, perSecond });
        console.log(`[live] throughput with ${n} subscribers: ${perSecond.toFixed(0)} postbacks/s`);
        await subs.stop();
        await sleep(500);
      }
    }
  } finally {
    agent.destroy();
    clickAgent.destroy();
    await server.stop();
    await database.drop();
  }

  const most = Math.max(...SUBSCRIBERS);
  const ratios = Array.from({ length: THROUGHPUT_ROUNDS }, (_, r) => throughput[2 * r + 1]!.perSecond / throughput[2 * r]!.perSecond);
  const ratio = median(ratios);
  const top = phases.find((p) => p.n === most)!;
  const p95 = quantile(top.latencies, 0.95);
  const goal = p95 <= 1_000 && top.events >= 1_000 && ratio >= 0.9 && top.missing === 0;
  const int = (n: number) => Math.round(n).toLocaleString("en-US");
  const ms = (n: number) => (Number.isNaN(n) ? "–" : n.toFixed(0));
  const lastLine = `live: p95 ${ms(p95)} ms commit→browser at ${int(top.events)} events/s with ${most} subscribers; postback throughput with ${most} subscribers ${ratio.toFixed(2)}× of none — goal (p95 ≤ 1000 ms at ≥ 1,000 events/s, ≥ 0.9×) ${goal ? "met" : "NOT met"}`;
  const report = [
    "## Live",
    "",
    `Measured ${stamp()} on ${machine()}. The machine is shared: other work may have been running (subscribers, load generator, server and PostgreSQL share its cores).`,
    `Our server (SERVE_NEXT=0, NODE_ENV=production, fraud checks on, webhook relay off, fresh database), ${AFFILIATES} affiliates with a link each. Steady load for ${PHASE_S} s per row: ${POSTBACKS_PER_S} postbacks/s and ${CLICKS_PER_S} /go clicks/s (spread over every link, so each second brings a click summary per link).`,
    `Subscribers: half managers (every event), half affiliates (their own), each its own user with a next-auth cookie, in a process of their own (bench/live-subscribers.ts); up to 10 probes parse every event, the rest count their bytes. Commit = the postback's answer arriving (it is sent after the commit); browser = the event parsed on a probe's socket.`,
    "",
    "| subscribers | events/s on a manager's stream | postbacks/s | clicks/s | samples | commit→event p50 (ms) | p95 (ms) | p99 (ms) | manager events missing | server CPU (cores) | PostgreSQL CPU (cores) | subscribers' CPU (cores) |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...phases.map(
      (p) =>
        `| ${p.n} | ${p.n ? int(p.events) : "–"} | ${int(p.postbacks)} | ${int(p.clicks)} | ${int(p.latencies.length)} | ${ms(quantile(p.latencies, 0.5))} | ${ms(quantile(p.latencies, 0.95))} | ${ms(quantile(p.latencies, 0.99))} | ${p.n ? p.missing : "–"} | ${p.serverCpu.toFixed(2)} | ${p.pgCpu === null ? "n/a" : p.pgCpu.toFixed(2)} | ${p.subscriberCpu.toFixed(2)} |`,
    ),
    "",
    `Postback throughput, closed loop (${THROUGHPUT_CLIENTS} clients, ${int(THROUGHPUT_COUNT)} postbacks per round, rounds alternating): ` +
      throughput.map((t) => `${t.n} subscribers ${int(t.perSecond)}/s`).join(", ") +
      `; ratio with ${most} subscribers / none per round pair: ${ratios.map((r) => r.toFixed(2)).join(", ")}, median **${ratio.toFixed(2)}** (goal ≥ 0.9).`,
    "",
    lastLine,
    "",
  ].join("\n");
  writeSection("## Live", report);
  console.log(report);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
