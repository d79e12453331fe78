// wrk as the load generator (one C thread, so more of a small machine is left to the servers under test).
import { execFileSync, spawnSync } from "node:child_process";

export const hasWrk = () => spawnSync("wrk", ["--version"]).error === undefined;

export interface Measured {
  rps: number;
  p50: number;
  p99: number;
  redirects: number;
  errors: number;
}

/** wrk, one thread: every answer here is a 302 (wrk counts 3xx as success), anything else is an error line. */
export function withWrk(url: string, duration: number, shape: string[], connections: number): Measured {
  const out = execFileSync("wrk", ["-t1", `-c${connections}`, `-d${duration}s`, "--latency", ...shape, url], { encoding: "utf8" });
  const ms = (label: string) => {
    const m = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)$`, "m").exec(out);
    if (!m) throw new Error(`wrk: no ${label} latency in:\n${out}`);
    return Math.round(Number(m[1]) * (m[2] === "us" ? 1 : m[2] === "s" ? 1e6 : 1e3)) / 1e3; // ms, to the µs
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + [...out.matchAll(/(connect|read|write|timeout) (\d+)/g)].reduce((n, m) => n + Number(m[2]), 0);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0), p50: ms("50%"), p99: ms("99%"), redirects: requests - errors, errors };
}
