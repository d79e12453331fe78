// npm run loadtest [-- options]: the whole lifecycle under load, with faults, and every click, conversion and
// webhook accounted for at the end. It starts what it tests itself: a fresh database (on DATABASE_URL's server, or
// the embedded cluster in .data/pg-bench), our server (NODE_ENV=production, hot paths only, its webhook relay on),
// a healthy webhook receiver and, with --fault dead-webhook, one that never answers. autocannon drives /go and
// /api/postback in slices of SLICE_S seconds, each at the rate the profile says for that moment; postbacks use click
// ids from the redirects (new sales, retries of acknowledged ones, refunds). See README "Load test".
//   --clicks 100 --postbacks 10   peak rates of the profile (per second), times --peak-x 1
//   --duration 120s --ramp 0.2    ramp-up and ramp-down each take this share of the duration
//   --fault kill-app@60s          SIGKILL of the server, then a restart on the same port (repeatable)
//   --fault kill-db-backend@90s   pg_terminate_backend of every connection of the server's database
//   --fault dead-webhook          a second webhook endpoint that accepts and never answers
//   --instances 2                 app servers on the one database behind a local TCP balancer (kill-app: the first)
//   --max-p95-go 10ms --max-p95-postback 50ms --max-lost 0   thresholds: the exit code
//   --out bench/loadtest/out      report.json and report.html
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import { ensureLocalSecrets } from "../../server/local-secrets";
import { type ServerProcess, startServerProcess } from "../../server/testing/server-process";
import { type Receiver, startReceiver } from "../../server/webhooks/test-receiver";
import { programSql } from "../lib/program";
import { benchDatabase, machine } from "../lib/report";
import { type Balancer, startBalancer } from "./balancer";
import { type Observed, type Stored, account } from "./accounting";
import { type Options, loadShare, parseOptions, phaseAt, zipfPicker } from "./plan";
import { type FaultMark, type Report, type Stage, StageRecorder, lastLine, renderHtml } from "./report";

const SLICE_S = 2;
const AFFILIATES = 20;
const TOKEN = `pbt_load_${randomUUID().replaceAll("-", "")}`;
const BOT_AGENTS = ["Googlebot/2.1 (+http://www.google.com/bot.html)", "AhrefsBot/7.0", "python-requests/2.31"];
const HUMAN_AGENT = (i: number) => `Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/${120 + (i % 14)}.0`;

let options: Options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  console.error(`loadtest: ${(error as Error).message}`);
  process.exit(2);
}

const log = (line: string) => process.stdout.write(`${process.stdout.isTTY ? "\r\x1b[K" : ""}${line}\n`);

async function seed(url: string, tokenHash: string, tokenPrefix: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(programSql({ tokenHash, tokenPrefix, affiliates: AFFILIATES, links: options.links, revshareBps: 1000, holdingPeriodDays: 0 }));
  await client.end();
}

async function addEndpoint(client: pg.Client, url: string, secret: string) {
  const { sealSecret } = await import("../../server/webhooks/secret-box");
  const id = randomUUID();
  await client.query(`INSERT INTO webhook_endpoints (id, "merchantId", url, secret, "updatedAt") VALUES ($1, 'm-bench', $2, $3, now())`, [id, url, sealSecret(secret, id)]);
}

/** The servers' /metrics token (a production start refuses /metrics without one). */
const METRICS_TOKEN = "loadtest-metrics-token";

/** Sum of `clicks_dropped_total` on the server's /metrics (0 when it does not answer). */
async function droppedOn(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2_000), headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    if (!res.ok) return undefined;
    const text = await res.text();
    return text
      .split("\n")
      .filter((l) => l.startsWith("clicks_dropped_total"))
      .reduce((n, l) => n + Number(l.split(" ").at(-1)), 0);
  } catch {
    return undefined;
  }
}

async function main() {
  ensureLocalSecrets();
  const database = await benchDatabase("loadtest");
  process.env.DATABASE_URL = database.url;
  const { hashPostbackToken } = await import("../../server/merchants/postback-token");
  const { generateSecret } = await import("../../server/webhooks/signing");
  await seed(database.url, hashPostbackToken(TOKEN), TOKEN.slice(0, 6));
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();

  const healthy: Receiver = await startReceiver({ secrets: [generateSecret()] });
  await addEndpoint(admin, healthy.url, healthy.secrets[0]!);
  let dead: Receiver | undefined;
  if (options.faults.some((f) => f.kind === "dead-webhook")) {
    dead = await startReceiver({ secrets: [generateSecret()], reply: () => "hang" });
    await addEndpoint(admin, dead.url, dead.secrets[0]!);
  }

  const serverEnv = { DATABASE_URL: database.url, NODE_ENV: "production", TRUST_PROXY: "1", WEBHOOK_RELAY: "1", WEBHOOK_ALLOWED_HOSTS: "127.0.0.1", SEED: "0", METRICS_TOKEN };
  const servers: ServerProcess[] = [];
  /** A server that exits on its own (not killed by a fault) is reported with the end of its output. */
  const watch = (server: ServerProcess, i: number) => {
    server.child.once("exit", (code, signal) => {
      if (signal === "SIGKILL" || stopping) return;
      log(`[loadtest] server ${i + 1} exited by itself (${code ?? signal}); its last output:\n${server.output().split("\n").slice(-15).join("\n")}`);
    });
    return server;
  };
  let stopping = false;
  for (let i = 0; i < options.instances; i++) servers.push(watch(await startServerProcess({ env: serverEnv }), i));
  const ports = servers.map((s) => new URL(s.url).port);
  const balancer: Balancer | undefined = servers.length > 1 ? await startBalancer(ports.map(Number)) : undefined;
  const baseUrl = balancer?.url ?? servers[0]!.url;
  const port = ports[0]!;

  const t0 = performance.now();
  const now = () => (performance.now() - t0) / 1000;
  const recorders: Record<Stage, StageRecorder> = { go: new StageRecorder(), postback: new StageRecorder() };
  const errorTimes: number[] = [];
  const observed: Observed = { redirected: new Map(), created: new Map(), mismatchedRetries: [], delivered: new Map(), kills: [] };
  const faults: FaultMark[] = [];
  let droppedBefore = 0; // counted by server incarnations that are gone
  const droppedNow = servers.map(() => 0);
  let restarting = false;

  // ----- faults on their schedule -----
  const timers = options.faults.map((fault) =>
    setTimeout(async () => {
      const at = now();
      if (fault.kind === "dead-webhook") return void faults.push({ at: 0, label: "dead webhook (from the start)" });
      if (fault.kind === "kill-app") {
        restarting = true;
        droppedBefore += droppedNow[0]!;
        droppedNow[0] = 0;
        observed.kills.push(at * 1000);
        await servers[0]!.stop("SIGKILL");
        // autocannon reconnects at once, in a tight loop, to a port nobody listens on: the running slices stop here,
        // and the slices while the server is down count what they would have sent as refused.
        if (!balancer) for (const instance of running) instance.stop();
        log(`[loadtest] ${at.toFixed(1)}s kill-app: server SIGKILLed, restarting on port ${port}`);
        try {
          servers[0] = watch(await startServerProcess({ env: { ...serverEnv, PORT: port } }), 0);
        } catch (error) {
          log(`[loadtest] the restart failed: ${(error as Error).message.split("\n").slice(-10).join("\n")}`);
          restarting = false;
          return;
        }
        restarting = false;
        log(`[loadtest] ${now().toFixed(1)}s server ready again (${(now() - at).toFixed(1)} s after the kill)`);
        faults.push({ at, label: "kill-app", recoveryS: now() - at }); // down until the new server is ready
      } else {
        const { rowCount } = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
        log(`[loadtest] ${at.toFixed(1)}s kill-db-backend: ${rowCount} connections terminated`);
        faults.push({ at, label: "kill-db-backend" });
      }
    }, fault.kind === "dead-webhook" ? 0 : fault.at * 1000),
  );

  const scrape = setInterval(async () => {
    for (const [i, server] of servers.entries()) {
      if (restarting && i === 0) continue;
      const n = await droppedOn(server.url);
      if (n !== undefined && !(restarting && i === 0)) droppedNow[i] = n;
    }
  }, 1_000);

  // ----- traffic -----
  const pickLink = zipfPicker(options.links);
  const visitors: string[] = [];
  const unconverted: string[] = [];
  const acknowledged: { txn: string; click: string; refunded: boolean }[] = [];
  let clickSeq = 0;
  let txnSeq = 0;

  const goRequest = {
    method: "GET",
    setupRequest: (req: any) => {
      const i = clickSeq++;
      const bot = Math.random() < options.botShare;
      let ip: string;
      if (visitors.length && Math.random() < options.repeatShare) ip = visitors[Math.floor(Math.random() * visitors.length)]!;
      else {
        ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
        if (visitors.length < 50_000) visitors.push(ip);
      }
      return { ...req, path: `/go/l-${1 + pickLink()}?sub1=load`, headers: { "user-agent": bot ? BOT_AGENTS[i % BOT_AGENTS.length]! : HUMAN_AGENT(i), "x-forwarded-for": ip } };
    },
    onResponse: (status: number, _body: string, _context: unknown, headers: Record<string, string>) => {
      if (status !== 302) return;
      const location = headers.location ?? headers.Location;
      const clickId = location ? new URL(location).searchParams.get("click_id") : null;
      if (!clickId) return;
      observed.redirected.set(clickId, now() * 1000);
      if (unconverted.length < 100_000) unconverted.push(clickId);
    },
  };

  const postbackRequest = {
    method: "GET",
    setupRequest: (req: any, context: Record<string, unknown>) => {
      const r = Math.random();
      let params: Record<string, string>;
      const old = acknowledged.length ? acknowledged[Math.floor(Math.random() * acknowledged.length)]! : undefined;
      if (old && r < options.duplicateShare) {
        params = { txn_id: old.txn, click_id: old.click };
        context.kind = "retry";
      } else if (old && !old.refunded && r < options.duplicateShare + options.refundShare) {
        params = { txn_id: old.txn, click_id: old.click, status: "refunded" };
        old.refunded = true;
        context.kind = "refund";
      } else {
        const click = unconverted.length ? unconverted.splice(Math.floor(Math.random() * unconverted.length), 1)[0]! : observed.redirected.keys().next().value!;
        params = { txn_id: `lt-${txnSeq++}-${randomUUID().slice(0, 8)}`, click_id: click };
        context.kind = "new";
      }
      context.txn = params.txn_id;
      context.click = params.click_id;
      const query = new URLSearchParams({ token: TOKEN, amount: "49.90", currency: "EUR", ...params });
      return { ...req, path: `/api/postback?${query}` };
    },
    onResponse: (status: number, body: string, context: Record<string, string>) => {
      if (status !== 200) return;
      let answer: { status?: string; conversion_id?: string };
      try {
        answer = JSON.parse(body);
      } catch {
        return;
      }
      if (answer.status === "created" && context.kind === "new") {
        observed.created.set(context.txn!, answer.conversion_id!);
        acknowledged.push({ txn: context.txn!, click: context.click!, refunded: false });
      } else if (answer.status === "duplicate") {
        const original = observed.created.get(context.txn!);
        if (original && original !== answer.conversion_id) observed.mismatchedRetries.push(context.txn!);
      }
    },
  };

  const running = new Set<NodeJS.EventEmitter & Promise<unknown> & { stop(): void }>();

  function drive(stage: Stage, rate: number, request: object): Promise<unknown> {
    if (restarting && !balancer) {
      const t = now();
      for (let i = 0; i < Math.round(rate * SLICE_S); i++) recorders[stage].error(t + (i / Math.max(1, rate)), "refused (server down)");
      errorTimes.push(t);
      return new Promise((r) => setTimeout(r, SLICE_S * 1000));
    }
    const okStatus = stage === "go" ? 302 : 200;
    const instance = autocannon({
      url: baseUrl,
      connections: Math.max(1, Math.min(64, Math.ceil(rate / 10))),
      overallRate: Math.max(1, Math.round(rate)),
      duration: SLICE_S,
      timeout: 10,
      requests: [request as any],
    }) as unknown as NodeJS.EventEmitter & Promise<unknown> & { stop(): void };
    running.add(instance);
    void instance.then(() => running.delete(instance));
    instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
      const t = now();
      recorders[stage].ok(t, ms, String(status));
      if (status >= 500 || (status !== okStatus && stage === "go")) {
        recorders[stage].error(t, `HTTP ${status}`);
        errorTimes.push(t);
      }
    });
    instance.on("reqError", (error: NodeJS.ErrnoException) => {
      const t = now();
      recorders[stage].error(t, error.code ?? error.message);
      errorTimes.push(t);
    });
    return instance;
  }

  const progress = setInterval(() => {
    const t = now();
    const last = (s: Stage) => recorders[s].seconds.get(Math.floor(t) - 1);
    const p95 = (s: Stage) => {
      const l = [...(last(s)?.latencies ?? [])].sort((a, b) => a - b);
      return l.length ? l[Math.floor(l.length * 0.95)]!.toFixed(1) : "–";
    };
    const line = `[loadtest] ${t.toFixed(0)}/${options.durationS}s ${phaseAt(t, options.durationS, options.rampShare)}  go ${last("go")?.latencies.length ?? 0}/s p95 ${p95("go")} ms  postbacks ${last("postback")?.latencies.length ?? 0}/s p95 ${p95("postback")} ms  errors ${(last("go")?.errors ?? 0) + (last("postback")?.errors ?? 0)}/s${restarting ? "  (restarting the server)" : ""}`;
    if (process.stdout.isTTY) process.stdout.write(`\r\x1b[K${line}`);
    else if (Math.floor(t) % 10 === 0) console.log(line);
  }, 1_000);

  for (let start = 0; start < options.durationS; start += SLICE_S) {
    const share = loadShare(start + SLICE_S / 2, options.durationS, options.rampShare);
    const clickRate = options.clicksPerSecond * options.peakX * share;
    const postbackRate = options.postbacksPerSecond * options.peakX * share;
    const slices: Promise<unknown>[] = [drive("go", clickRate, goRequest)];
    if (postbackRate >= 0.5 && observed.redirected.size > 0) slices.push(drive("postback", postbackRate, postbackRequest));
    await Promise.all(slices);
  }
  const durationS = now();
  clearInterval(progress);
  for (const timer of timers) clearTimeout(timer);
  while (restarting) await new Promise((r) => setTimeout(r, 200));
  if (process.stdout.isTTY) process.stdout.write("\n");

  // ----- drain, then account -----
  log("[loadtest] load done: waiting for the click buffer and the webhook relay to drain…");
  await new Promise((r) => setTimeout(r, 2_000));
  for (const [i, server] of servers.entries()) droppedNow[i] = (await droppedOn(server.url)) ?? droppedNow[i]!;
  clearInterval(scrape);
  const { rows: eventRows } = await admin.query<{ id: string }>(`SELECT id FROM outbox_events WHERE "merchantId" = 'm-bench'`);
  const deliveredIds = () => new Set(healthy.requests.filter((r) => r.verified).map((r) => r.headers["webhook-id"]!));
  for (let waited = 0; waited < 60_000; waited += 500) {
    const got = deliveredIds();
    if (eventRows.every((e) => got.has(e.id))) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const request of healthy.requests.filter((r) => r.verified)) {
    const id = request.headers["webhook-id"]!;
    observed.delivered.set(id, (observed.delivered.get(id) ?? 0) + 1);
  }

  const clickIds = new Set<string>();
  const ids = [...observed.redirected.keys()];
  for (let i = 0; i < ids.length; i += 10_000) {
    const { rows } = await admin.query<{ id: string }>("SELECT id FROM clicks WHERE id = ANY($1::text[])", [ids.slice(i, i + 10_000)]);
    for (const row of rows) clickIds.add(row.id);
  }
  const conversions = new Map<string, string[]>();
  for (const row of (await admin.query<{ txnId: string; id: string }>(`SELECT "txnId", id FROM conversions WHERE "merchantId" = 'm-bench'`)).rows) {
    conversions.set(row.txnId, [...(conversions.get(row.txnId) ?? []), row.id]);
  }
  const commissions = new Map<string, number>();
  for (const row of (await admin.query<{ conversionId: string; n: number }>(`SELECT "conversionId", count(*)::int AS n FROM commissions WHERE "offerId" = 'o-bench' AND kind = 'COMMISSION' GROUP BY 1`)).rows) {
    commissions.set(row.conversionId, row.n);
  }
  const stored: Stored = { clickIds, droppedCounted: droppedBefore + droppedNow.reduce((a, b) => a + b, 0), conversions, commissions, outboxEventIds: eventRows.map((r) => r.id) };
  const accounting = account(observed, stored);

  for (const fault of faults.filter((f) => f.label === "kill-db-backend")) {
    const after = errorTimes.filter((t) => t >= fault.at && t <= fault.at + 60);
    fault.recoveryS = after.length ? Math.max(...after) - fault.at : 0;
  }
  const totals = { go: recorders.go.totals(durationS), postback: recorders.postback.totals(durationS) };
  const thresholds = [
    { name: "p95 go (ms)", limit: options.maxP95GoMs, value: totals.go.p95 },
    { name: "p95 postback (ms)", limit: options.maxP95PostbackMs, value: totals.postback.p95 },
    { name: "lost", limit: options.maxLost, value: accounting.lost },
    { name: "duplicated", limit: 0, value: accounting.duplicated },
  ].map((t) => ({ ...t, ok: t.value <= t.limit }));
  const report: Report = {
    options: { ...options },
    machine: machine(),
    startedAt: new Date(Date.now() - durationS * 1000).toISOString(),
    durationS: Math.round(durationS),
    totals,
    timeline: { go: recorders.go.timeline(), postback: recorders.postback.timeline() },
    faults: faults.sort((a, b) => a.at - b.at),
    accounting,
    thresholds,
    pass: thresholds.every((t) => t.ok),
  };

  stopping = true;
  for (const server of servers) await server.stop("SIGTERM");
  await balancer?.close();
  await healthy.close();
  await dead?.close();
  await admin.end();
  await database.drop();

  mkdirSync(options.out, { recursive: true });
  writeFileSync(path.join(options.out, "report.json"), JSON.stringify(report, null, 2));
  writeFileSync(path.join(options.out, "report.html"), renderHtml(report));
  const a = accounting;
  if (balancer) log(`[loadtest] ${servers.length} instances behind the balancer; connections given to each: ${balancer.given.join(", ")}`);
  console.log(`\n[loadtest] ${durationS.toFixed(0)} s; report: ${path.join(options.out, "report.html")} (and report.json)`);
  for (const stage of ["go", "postback"] as const) {
    const t = totals[stage];
    console.log(`  ${stage.padEnd(9)} ${t.requests} answered, ${t.ratePerS.toFixed(1)}/s, p50 ${t.p50.toFixed(1)} / p95 ${t.p95.toFixed(1)} / p99 ${t.p99.toFixed(1)} ms, errors ${t.errors} (${Object.entries(t.byKind).map(([k, n]) => `${k} ${n}`).join(", ")})`);
  }
  console.log(`  clicks    ${a.clicks.redirected} redirected, ${a.clicks.stored} stored, ${a.clicks.droppedCounted} counted dropped, ${a.clicks.unflushedAtKill} unflushed at a SIGKILL, ${a.clicks.lost} lost`);
  console.log(`  postbacks ${a.postbacks.created} created: ${a.postbacks.missingConversion.length} without their conversion, ${a.postbacks.duplicatedConversion.length} duplicated, ${a.postbacks.commissionNotOne.length} without exactly one commission`);
  console.log(`  webhooks  ${a.webhooks.events} events, ${a.webhooks.delivered} delivered to the healthy receiver (${a.webhooks.deliveredTwice} more than once, de-duplicated by id)`);
  for (const f of report.faults) console.log(`  fault     ${f.label} at ${f.at.toFixed(1)} s${f.recoveryS === undefined ? "" : `: errors until ${f.recoveryS.toFixed(1)} s after it`}`);
  for (const t of thresholds.filter((x) => !x.ok)) console.log(`  FAILED    ${t.name}: ${t.value.toFixed(2)} > ${t.limit}`);
  console.log(lastLine(report));
  process.exit(report.pass ? 0 : 1);
}

main().catch((error) => {
  console.error(`loadtest: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
