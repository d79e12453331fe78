// The load test's figures, pure: latencies and outcomes bucketed per second and stage, percentiles, and the HTML
// page (inline SVG charts, no scripts or downloads) written beside the JSON report.
import type { Accounting } from "./accounting";

export type Stage = "go" | "postback";
export const STAGES: Stage[] = ["go", "postback"];

export interface Second {
  t: number;
  requests: number;
  errors: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface FaultMark {
  at: number;
  label: string;
  /** Seconds until the stage answered again after it (kill-app: the restarted server's ready line). */
  recoveryS?: number;
}

export interface Report {
  options: Record<string, unknown>;
  machine: string;
  startedAt: string;
  durationS: number;
  totals: Record<Stage, { requests: number; errors: number; byKind: Record<string, number>; p50: number; p95: number; p99: number; ratePerS: number }>;
  timeline: Record<Stage, Second[]>;
  faults: FaultMark[];
  accounting: Accounting;
  thresholds: { name: string; limit: number; value: number; ok: boolean }[];
  pass: boolean;
}

export function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Per-second latency samples (ms) and error counts of one stage. */
export class StageRecorder {
  readonly seconds = new Map<number, { latencies: number[]; errors: number }>();
  readonly byKind: Record<string, number> = {};
  readonly all: number[] = [];

  private bucket(t: number) {
    const s = Math.floor(t);
    let b = this.seconds.get(s);
    if (!b) this.seconds.set(s, (b = { latencies: [], errors: 0 }));
    return b;
  }

  ok(t: number, ms: number, kind: string): void {
    this.bucket(t).latencies.push(ms);
    this.all.push(ms);
    this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
  }

  error(t: number, kind: string): void {
    this.bucket(t).errors += 1;
    this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
  }

  timeline(): Second[] {
    return [...this.seconds.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([t, b]) => {
        const sorted = [...b.latencies].sort((x, y) => x - y);
        return { t, requests: sorted.length, errors: b.errors, p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), p99: quantile(sorted, 0.99) };
      });
  }

  totals(durationS: number) {
    const sorted = [...this.all].sort((a, b) => a - b);
    const errors = [...this.seconds.values()].reduce((n, b) => n + b.errors, 0);
    return { requests: sorted.length, errors, byKind: this.byKind, p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), p99: quantile(sorted, 0.99), ratePerS: sorted.length / Math.max(1, durationS) };
  }
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** A line chart as inline SVG: one polyline per series, the faults as dashed vertical lines. */
export function lineChart(title: string, unit: string, series: { name: string; color: string; points: [number, number][] }[], faults: FaultMark[], durationS: number): string {
  const W = 860, H = 240, L = 56, R = 12, T = 28, B = 28;
  const max = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[1]))) * 1.1;
  const x = (t: number) => L + (t / Math.max(1, durationS)) * (W - L - R);
  const y = (v: number) => T + (1 - v / max) * (H - T - B);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<line x1="${L}" x2="${W - R}" y1="${y(max * f)}" y2="${y(max * f)}" stroke="#eee"/><text x="${L - 6}" y="${y(max * f) + 4}" text-anchor="end">${(max * f).toFixed(max < 10 ? 1 : 0)}</text>`)
    .join("");
  const lines = series
    .map((s) => `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ")}"/>`)
    .join("");
  const marks = faults
    .map((f) => `<line x1="${x(f.at)}" x2="${x(f.at)}" y1="${T}" y2="${H - B}" stroke="#c00" stroke-dasharray="4 3"/><text x="${x(f.at) + 3}" y="${T + 10}" fill="#c00">${esc(f.label)}</text>`)
    .join("");
  const legend = series.map((s, i) => `<text x="${L + 10 + i * 110}" y="16" fill="${s.color}">■ ${esc(s.name)}</text>`).join("");
  return `<figure><figcaption>${esc(title)} (${esc(unit)})</figcaption><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-size="11" font-family="sans-serif">${grid}${lines}${marks}${legend}<text x="${W - R}" y="${H - 8}" text-anchor="end">seconds</text></svg></figure>`;
}

export function renderHtml(report: Report): string {
  const charts = STAGES.flatMap((stage) => {
    const tl = report.timeline[stage];
    return [
      lineChart(`${stage}: latency`, "ms", [
        { name: "p50", color: "#2b7", points: tl.map((s) => [s.t, s.p50]) },
        { name: "p95", color: "#e80", points: tl.map((s) => [s.t, s.p95]) },
        { name: "p99", color: "#c22", points: tl.map((s) => [s.t, s.p99]) },
      ], report.faults, report.durationS),
      lineChart(`${stage}: rate`, "per second", [
        { name: "answered", color: "#36c", points: tl.map((s) => [s.t, s.requests]) },
        { name: "errors", color: "#c22", points: tl.map((s) => [s.t, s.errors]) },
      ], report.faults, report.durationS),
    ];
  });
  const a = report.accounting;
  const row = (cells: (string | number)[]) => `<tr>${cells.map((c) => `<td>${esc(String(c))}</td>`).join("")}</tr>`;
  const totals = STAGES.map((s) => {
    const t = report.totals[s];
    return row([s, t.requests, t.ratePerS.toFixed(1), t.p50.toFixed(2), t.p95.toFixed(2), t.p99.toFixed(2), t.errors, Object.entries(t.byKind).map(([k, n]) => `${k}: ${n}`).join(", ")]);
  }).join("");
  const list = (name: string, ids: string[]) => (ids.length ? `<p><b>${esc(name)}</b>: ${ids.map(esc).join(", ")}</p>` : "");
  return `<!doctype html><html><head><meta charset="utf-8"><title>Load test ${report.pass ? "PASS" : "FAIL"}</title>
<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}td:first-child{text-align:left}figure{margin:12px 0}figcaption{font-weight:bold}code{word-break:break-all}.pass{color:#2b7}.fail{color:#c22}</style></head><body>
<h1>Load test: <span class="${report.pass ? "pass" : "fail"}">${report.pass ? "PASS" : "FAIL"}</span></h1>
<p>${esc(report.startedAt)} · ${esc(report.machine)} · ${report.durationS} s · options <code>${esc(JSON.stringify(report.options))}</code></p>
<h2>Stages</h2><table><tr><th>stage</th><th>answered</th><th>per s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>errors</th><th>outcomes</th></tr>${totals}</table>
<h2>Thresholds</h2><table><tr><th>threshold</th><th>limit</th><th>value</th><th></th></tr>${report.thresholds.map((t) => row([t.name, t.limit, t.value.toFixed(2), t.ok ? "ok" : "FAILED"])).join("")}</table>
<h2>Faults</h2><table><tr><th>fault</th><th>at s</th><th>recovery s</th></tr>${report.faults.map((f) => row([f.label, f.at.toFixed(1), f.recoveryS?.toFixed(1) ?? "–"])).join("")}</table>
<h2>Accounting</h2><table>
${row(["clicks redirected / stored", `${a.clicks.redirected} / ${a.clicks.stored}`])}
${row(["clicks missing / counted as dropped by the servers", `${a.clicks.missing} / ${a.clicks.droppedCounted}`])}
${row(["clicks unflushed at a SIGKILL (answered ≤ 1 s before it)", a.clicks.unflushedAtKill])}
${row(["postbacks created / without their conversion / duplicated", `${a.postbacks.created} / ${a.postbacks.missingConversion.length} / ${a.postbacks.duplicatedConversion.length}`])}
${row(["webhook events / delivered to the healthy receiver / more than once", `${a.webhooks.events} / ${a.webhooks.delivered} / ${a.webhooks.deliveredTwice}`])}
${row(["lost / duplicated", `${a.lost} / ${a.duplicated}`])}</table>
${list("lost clicks", a.clicks.lostIds)}${list("unflushed at SIGKILL", a.clicks.unflushedIds)}${list("created postbacks without their conversion", a.postbacks.missingConversion)}${list("conversion other than acknowledged", a.postbacks.wrongConversion)}${list("duplicated conversions", a.postbacks.duplicatedConversion)}${list("commission count ≠ 1", a.postbacks.commissionNotOne)}${list("retries answered with another conversion", a.postbacks.mismatchedRetries)}${list("undelivered events", a.webhooks.undelivered)}
<h2>Over time</h2>${charts.join("\n")}
</body></html>`;
}

/** `loadtest: PASS|FAIL <clicks> clicks, <postbacks> postbacks, lost <n>, duplicated <n>, worst p95 <stage> <ms> ms` */
export function lastLine(report: Report): string {
  const worst = STAGES.reduce((w, s) => (report.totals[s].p95 > report.totals[w].p95 ? s : w), "go" as Stage);
  return `loadtest: ${report.pass ? "PASS" : "FAIL"} ${report.totals.go.requests} clicks, ${report.totals.postback.requests} postbacks, lost ${report.accounting.lost}, duplicated ${report.accounting.duplicated}, worst p95 ${worst} ${report.totals[worst].p95.toFixed(1)} ms`;
}
