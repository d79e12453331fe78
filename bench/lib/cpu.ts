// CPU time of processes from /proc (Linux), for benchmarks that share a small machine: what a side cost in CPU is
// steadier than its throughput when the load generator, the server and PostgreSQL compete for the same cores.
import { readFileSync, readdirSync } from "node:fs";

/** user + system CPU seconds of a process so far (clock ticks of 10 ms); 0 once it is gone. */
export function cpuSeconds(pid: number, { withEndedChildren = false } = {}): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const own = Number(fields[11]) + Number(fields[12]);
    return (withEndedChildren ? own + Number(fields[13]) + Number(fields[14]) : own) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of a PostgreSQL cluster: its postmaster (with what its ended children used: backends of closed
 * connections) and every live child (backends, WAL writer…); null without one.
 */
export function postgresSeconds(postmaster: number | null): number | null {
  if (postmaster === null) return null;
  let total = cpuSeconds(postmaster, { withEndedChildren: true });
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
      if (ppid === postmaster) total += cpuSeconds(Number(entry));
    } catch {
      // a process that ended meanwhile
    }
  }
  return total;
}
