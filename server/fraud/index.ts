// The seam between the conversion transaction (server/conversions) and fraud detection (this folder).
// The postback path calls `evaluateConversion` inside its transaction, before writing the commission, with the
// paid click's row as its context read found it (used when this process never counted that click); the result
// decides the commission's status (HOLD → HELD with `heldReason`) and which flags to write with it.
//
// One engine per process, kept on globalThis: our server (tsx) and Next's bundled server code load this module
// separately, and both must see the same counters. `startFraudEngine` (called from startHotPaths) loads settings,
// replays recent traffic from Postgres and subscribes to clicks; until it runs the engine judges with defaults
// and whatever traffic it has seen.
import { env } from "../env";
import { FraudEngine } from "./engine";
import { exposeEngineMetrics, observeEvaluation } from "./metrics";
import { type FraudRuntime, type RuntimeOptions, startRuntime } from "./runtime";
import type { ConversionCandidate, FraudVerdict, StoredClick } from "./types";

export type { ConversionCandidate, FraudFlagDraft, FraudVerdict, StoredClick } from "./types";
export { publicFlags } from "./score";

const state = globalThis as unknown as { __fraudEngine?: FraudEngine; __fraudRuntime?: Promise<FraudRuntime>; __fraudChecks?: boolean };

export function fraudEngine(): FraudEngine {
  return (state.__fraudEngine ??= new FraudEngine());
}
exposeEngineMetrics(fraudEngine);

const PASS: FraudVerdict = Object.freeze({ score: 0, decision: "PASS", flags: [], reason: null }) as FraudVerdict;

/** Whether conversions are checked: FRAUD_CHECKS=off (or `setFraudChecks(false)`) passes everything. */
export function fraudChecksEnabled(): boolean {
  return (state.__fraudChecks ??= env().FRAUD_CHECKS === "on");
}

/** Turns the checks on or off in this process (the benchmark's side-by-side comparison). */
export function setFraudChecks(on: boolean): void {
  state.__fraudChecks = on;
}

/**
 * Synchronous and memory-only. `click` is the click's row, which the engine uses only for a click this process
 * never counted: a postback often reaches another instance than the one that served the click, or arrives days
 * later (attribution windows run up to 30 days), long after memory. The row keeps the bot, automated-browser,
 * block-list and own-IP checks on the click running; velocity at click time cannot be recovered from one row, so
 * the velocity rule skips such clicks. A failing rule is skipped
 * (see FraudEngine.evaluate); anything else that throws reaches the postback path, which holds the commission for
 * a manager rather than pass it unchecked.
 */
export function evaluateConversion(candidate: ConversionCandidate, click: StoredClick | null = null): FraudVerdict {
  if (!fraudChecksEnabled()) return { ...PASS, flags: [] };
  return judge(fraudEngine(), candidate, click);
}

/** One engine's verdict, counted in the metrics (`fromRow`: the click was judged from its row, not from memory). */
export function judge(engine: FraudEngine, candidate: ConversionCandidate, click: StoredClick | null): FraudVerdict {
  const started = process.hrtime.bigint();
  return observeEvaluation(engine.evaluate(candidate, click), started, click !== null && !engine.remembers(candidate.clickId));
}

/** Starts the engine's I/O once per process (later calls share the first start). */
export function startFraudEngine(options?: RuntimeOptions): Promise<FraudRuntime> {
  return (state.__fraudRuntime ??= startRuntime(fraudEngine(), options).catch((error) => {
    state.__fraudRuntime = undefined;
    throw error;
  }));
}

export { CONFIG_CHANNEL, notifyFraudConfigChanged } from "./runtime";
