// The seam between the conversion transaction (server/conversions) and fraud detection (this folder).
// The postback path calls `evaluateConversion` inside its transaction, before writing the commission, with its
// connection (to read the click's row when this process never counted the click); the result decides the
// commission's status (HOLD → HELD with `heldReason`) and which flags to write with it.
//
// One engine per process, kept on globalThis: our server (tsx) and Next's bundled server code load this module
// separately, and both must see the same counters. `startFraudEngine` (called from startHotPaths) loads settings,
// replays recent traffic from Postgres and subscribes to clicks; until it runs the engine judges with defaults
// and whatever traffic it has seen.
import type { Queryable } from "../conversions/store";
import { env } from "../env";
import { evaluateWithClickRow } from "./click-row";
import { FraudEngine } from "./engine";
import { exposeEngineMetrics, observeEvaluation } from "./metrics";
import { type FraudRuntime, type RuntimeOptions, startRuntime } from "./runtime";
import type { ConversionCandidate, FraudVerdict } from "./types";

export type { ConversionCandidate, FraudFlagDraft, FraudVerdict } from "./types";
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
 * Synchronous and memory-only when this process counted the conversion's click (and without `db`); otherwise one
 * primary-key read of the click's row on `db`, the postback's connection (see ./click-row). A failing rule is
 * skipped (see FraudEngine.evaluate); anything else that throws reaches the postback path, which holds the
 * commission for a manager rather than pass it unchecked.
 */
export function evaluateConversion(candidate: ConversionCandidate, db?: Queryable): FraudVerdict | Promise<FraudVerdict> {
  if (!fraudChecksEnabled()) return { ...PASS, flags: [] };
  const started = process.hrtime.bigint();
  const verdict = evaluateWithClickRow(fraudEngine(), candidate, db);
  return verdict instanceof Promise ? verdict.then((v) => observeEvaluation(v, started, true)) : observeEvaluation(verdict, started, false);
}

/** Starts the engine's I/O once per process (later calls share the first start). */
export function startFraudEngine(options?: RuntimeOptions): Promise<FraudRuntime> {
  return (state.__fraudRuntime ??= startRuntime(fraudEngine(), options).catch((error) => {
    state.__fraudRuntime = undefined;
    throw error;
  }));
}

export { CONFIG_CHANNEL, notifyFraudConfigChanged } from "./runtime";
