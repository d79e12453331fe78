// The load test's plan, pure: its options from the command line, the traffic shape over time (ramp-up, sustain,
// ramp-down at a profile's peak × --peak-x), link popularity (Zipf), and the fault schedule.

export type FaultKind = "kill-app" | "kill-db-backend" | "dead-webhook";

export interface Fault {
  kind: FaultKind;
  /** Seconds after the start (0 for dead-webhook: dead from the start). */
  at: number;
}

export interface Options {
  /** Peak clicks/s and postbacks/s of the profile, before --peak-x. */
  clicksPerSecond: number;
  postbacksPerSecond: number;
  peakX: number;
  durationS: number;
  /** Shares of the duration spent ramping up and down (the rest is sustained at the peak). */
  rampShare: number;
  faults: Fault[];
  links: number;
  /** App servers on the one database, behind a local balancer when more than one. */
  instances: number;
  botShare: number;
  /** Share of clicks from a visitor (IP) that clicked the same link before. */
  repeatShare: number;
  duplicateShare: number;
  refundShare: number;
  maxP95GoMs: number;
  maxP95PostbackMs: number;
  maxLost: number;
  out: string;
}

export const DEFAULTS: Options = {
  clicksPerSecond: 100,
  postbacksPerSecond: 10,
  peakX: 1,
  durationS: 120,
  rampShare: 0.2,
  faults: [],
  links: 200,
  instances: 1,
  botShare: 0.1,
  repeatShare: 0.15,
  duplicateShare: 0.1,
  refundShare: 0.05,
  maxP95GoMs: 10,
  maxP95PostbackMs: 50,
  maxLost: 0,
  out: "bench/loadtest/out",
};

/** "90s", "10m", "1500ms", "45" (seconds) → seconds. */
export function parseSeconds(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: "${text}" (e.g. 90s, 10m)`);
  const n = Number(match[1]);
  return match[2] === "ms" ? n / 1000 : match[2] === "m" ? n * 60 : n;
}

/** "25ms" or "25" → milliseconds. */
function parseMs(text: string): number {
  return parseSeconds(/^\d+(\.\d+)?$/.test(text) ? `${text}ms` : text) * 1000;
}

export function parseFault(text: string): Fault {
  const [kind, at] = text.split("@") as [string, string | undefined];
  if (kind === "dead-webhook") return { kind, at: at ? parseSeconds(at) : 0 };
  if (kind !== "kill-app" && kind !== "kill-db-backend") throw new Error(`unknown fault "${kind}": kill-app@<time>, kill-db-backend@<time> or dead-webhook`);
  if (!at) throw new Error(`--fault ${kind} needs a time: ${kind}@60s`);
  return { kind, at: parseSeconds(at) };
}

export function parseOptions(argv: string[]): Options {
  const options: Options = { ...DEFAULTS, faults: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const number = (min: number) => {
      const n = Number(value());
      if (!Number.isFinite(n) || n < min) throw new Error(`${flag} must be a number ≥ ${min}`);
      return n;
    };
    switch (flag) {
      case "--clicks": options.clicksPerSecond = number(1); break;
      case "--postbacks": options.postbacksPerSecond = number(0); break;
      case "--peak-x": options.peakX = number(0.01); break;
      case "--duration": options.durationS = parseSeconds(value()); break;
      case "--ramp": options.rampShare = Math.min(0.5, number(0)); break;
      case "--fault": options.faults.push(parseFault(value())); break;
      case "--links": options.links = number(1); break;
      case "--instances": options.instances = Math.floor(number(1)); break;
      case "--max-p95-go": options.maxP95GoMs = parseMs(value()); break;
      case "--max-p95-postback": options.maxP95PostbackMs = parseMs(value()); break;
      case "--max-lost": options.maxLost = number(0); break;
      case "--out": options.out = value(); break;
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  for (const fault of options.faults) {
    if (fault.at >= options.durationS) throw new Error(`--fault ${fault.kind}@${fault.at}s is after the end of the run (--duration ${options.durationS}s)`);
  }
  return options;
}

/** The share of the peak at second `t`: linear ramp-up, sustain, linear ramp-down. */
export function loadShare(t: number, durationS: number, rampShare: number): number {
  if (t < 0 || t >= durationS) return 0;
  const ramp = durationS * rampShare;
  if (ramp <= 0) return 1;
  if (t < ramp) return Math.max(0.05, t / ramp);
  if (t > durationS - ramp) return Math.max(0.05, (durationS - t) / ramp);
  return 1;
}

/** The stage of the run at second `t`. */
export function phaseAt(t: number, durationS: number, rampShare: number): "ramp-up" | "sustain" | "ramp-down" {
  const ramp = durationS * rampShare;
  return t < ramp ? "ramp-up" : t > durationS - ramp ? "ramp-down" : "sustain";
}

/** Picks 0…n−1 with probability ∝ 1/(rank+1)^s (a few links get most clicks, as in real programs). */
export function zipfPicker(n: number, s = 1.1, random: () => number = Math.random): () => number {
  const cdf: number[] = [];
  let sum = 0;
  for (let k = 1; k <= n; k++) cdf.push((sum += 1 / k ** s));
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}
