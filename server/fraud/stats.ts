// Small-sample statistics for the fraud rules: how surprising k successes in n trials are when each succeeds with
// probability p. Rules compare an affiliate's (a subnet's, a user agent's) counts with the program's rate this way
// instead of waiting for a fixed volume: 20 conversions of 20 clicks against a 5 % norm is decisive, 2 of 40 is not.
//
// The figure is the evidence in log10 units: E = n · KL(k/n ‖ p) / ln 10, the Chernoff bound of the exact one-sided
// binomial tail, P(X ≥ k) ≤ 10^(−E). It never overstates the evidence (the exact tail is always at least as
// likely), costs O(1) whatever n is, and equals the exact tail when every trial succeeded (E = −n·log10 p).
// 0 when k/n is at or below p. E = 5 reads "honest traffic does this less than once in 100,000 tries".

const LN10 = Math.LN10;

/** log10 evidence that k of n exceed rate p (0 when they do not). n < k is read as n = k. */
export function binomialEvidence(k: number, n: number, p: number): number {
  if (!(k > 0) || !(p > 0)) return k > 0 && p <= 0 ? Infinity : 0;
  if (p >= 1) return 0;
  const trials = Math.max(n, k);
  const q = k / trials;
  if (q <= p) return 0;
  const kl = q * Math.log(q / p) + (q < 1 ? (1 - q) * Math.log((1 - q) / (1 - p)) : 0);
  return (trials * kl) / LN10;
}

/**
 * A rate with a prior (the mean of a Beta prior worth `priorTrials` observations at `priorRate`): a program or
 * affiliate with no history is believed to be at `priorRate`, and its own counts take over as they accumulate.
 */
export function smoothedRate(successes: number, trials: number, priorRate: number, priorTrials: number): number {
  return (successes + priorRate * priorTrials) / (trials + priorTrials);
}

/** "1 in 100,000": the odds an evidence figure stands for, for managers. */
export function oddsText(evidence: number): string {
  if (!Number.isFinite(evidence) || evidence >= 12) return "less than 1 in a trillion";
  const odds = 10 ** evidence;
  const rounded = odds >= 1000 ? Number(odds.toPrecision(2)) : Math.round(odds);
  return `about 1 in ${rounded.toLocaleString("en")}`;
}
