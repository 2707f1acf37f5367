/**
 * A confidence sequence for the mean of paired differences: an interval that holds at every
 * sample size at once, so `perf-gate compare` may look after every pair and stop when the
 * answer is clear without inflating its error rate (a fixed-n t-interval checked after every
 * pair would call about one unchanged service in four a regression within 40 looks).
 *
 * The method is Lai's (1976) t confidence sequence: for each candidate mean m, the Bayes
 * factor of "mean = m" against a Gaussian mixture over the standardised effect (variance g),
 * with the right-Haar prior 1/sigma on the unknown scale. That Bayes factor depends on the data
 * only through the t statistic and is a test martingale under the null whatever sigma is
 * (the "safe t-test"), so by Ville's inequality it exceeds 1/alpha with probability at most
 * alpha, ever. Inverting it gives mean +- t*(n) s / sqrt(n), a t-interval whose critical value
 * grows with the looks taken. It assumes roughly normal differences; log-ratios of per-round
 * latencies and rates are close enough, and the unit tests check the error rate on them.
 */

/** log Bayes factor for the t statistic `t` of `n` observations, mixture variance `g`. */
export function logBayesFactor(t: number, n: number, g: number): number {
  const nu = n - 1;
  const ng = 1 + n * g;
  const t2 = t * t;
  return -0.5 * Math.log(ng) + ((nu + 1) / 2) * (Math.log1p(t2 / nu) - Math.log1p(t2 / (ng * nu)));
}

/**
 * The |t| at which the Bayes factor reaches 1/alpha, or Infinity when n is too small for
 * any data to reach it (the largest possible factor is (1 + n g)^((n - 1) / 2)).
 */
export function criticalT(n: number, alpha: number, g: number): number {
  if (n < 2) return Infinity;
  const target = Math.log(1 / alpha);
  if (((n - 1) / 2) * Math.log1p(n * g) <= target) return Infinity;
  // The factor rises monotonically in |t|: bisect on t.
  let lo = 0;
  let hi = 1;
  while (logBayesFactor(hi, n, g) < target) hi *= 2;
  for (let i = 0; i < 100 && hi - lo > 1e-9 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (logBayesFactor(mid, n, g) < target) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * The mixture variance. A standardised effect near 1 (a change about as large as one
 * round's noise) is where the gate must decide; g = 1 puts the mixture's weight there.
 * The choice matters little: simulated with 5% noise, a 9% change and a 5% tolerance, g from
 * 0.25 to 4 all needed a median of 19-21 pairs.
 */
export const MIXTURE_G = 1;

export interface MeanInterval {
  low: number;
  high: number;
  mean: number;
  n: number;
}

/** Sample mean and standard deviation (n - 1 in the denominator; 0 below two values). */
export function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const n = xs.length;
  const mean = n ? xs.reduce((a, b) => a + b, 0) / n : NaN;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd };
}

/**
 * The sequence's half-width after n observations whose spread is sd: what compare's interval
 * reaches, and (calibration) what it would reach after a budget's worth of pairs.
 * Infinity while n is too small for any data to decide.
 */
export function halfWidth(n: number, sd: number, alpha: number, g = MIXTURE_G): number {
  const t = criticalT(n, alpha, g);
  return t === Infinity ? Infinity : (t * sd) / Math.sqrt(n);
}

/** The confidence sequence's interval for the mean of xs, at level 1 - alpha. */
export function meanConfidenceSequence(
  xs: readonly number[],
  alpha: number,
  g = MIXTURE_G,
): MeanInterval {
  const n = xs.length;
  const { mean, sd } = meanSd(xs);
  const half = halfWidth(n, sd, alpha, g);
  if (half === Infinity) return { low: -Infinity, high: Infinity, mean, n };
  // Identical differences (up to rounding): the t statistic is infinite for any other mean.
  if (sd <= 1e-12 * Math.abs(mean)) return { low: mean, high: mean, mean, n };
  return { low: mean - half, high: mean + half, mean, n };
}

/**
 * Time-uniform intervals may be intersected over time and stay valid: the running
 * intersection only narrows. An empty intersection (probability <= alpha) keeps the newest.
 */
export function intersect(prev: MeanInterval | undefined, next: MeanInterval): MeanInterval {
  if (!prev) return next;
  const low = Math.max(prev.low, next.low);
  const high = Math.min(prev.high, next.high);
  return low <= high ? { ...next, low, high } : next;
}
