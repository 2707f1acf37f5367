import { levenbergMarquardt } from 'ml-levenberg-marquardt';

/**
 * The Universal Scalability Law, X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1)),
 * fitted to the sweep's steps with concurrency N from Little's law (N = X x mean latency).
 * Levenberg-Marquardt from ml-levenberg-marquardt; the peak is at N* = sqrt((1 - sigma) / kappa).
 */
export interface UslFit {
  lambda: number;
  sigma: number;
  kappa: number;
  predicted_peak_rps: number | null;
  peak_concurrency: number | null;
  r2: number;
  points: number;
}

export function uslModel([lambda, sigma, kappa]: number[]): (n: number) => number {
  return (n) => (lambda! * n) / (1 + sigma! * (n - 1) + kappa! * n * (n - 1));
}

export function fitUsl(
  points: readonly { concurrency: number; rps: number }[],
): UslFit | undefined {
  const pts = points.filter((p) => p.concurrency > 0 && p.rps > 0);
  if (pts.length < 4) return undefined;
  const x = pts.map((p) => p.concurrency);
  const y = pts.map((p) => p.rps);
  const first = pts.reduce((a, b) => (a.concurrency < b.concurrency ? a : b));
  const lambda0 = first.rps / first.concurrency;
  const fit = levenbergMarquardt({ x, y }, uslModel, {
    initialValues: [lambda0, 0.01, 0.0001],
    minValues: [0, 0, 0],
    maxValues: [lambda0 * 100, 1, 1],
    maxIterations: 1000,
    errorTolerance: 1e-10,
    damping: 1.5,
    // Finite-difference steps on each parameter's own scale: sigma and kappa are tiny, and
    // the library's default step (0.1) would jump straight past them.
    gradientDifference: [lambda0 * 1e-3, 1e-4, 1e-6],
  });
  const [lambda, sigma, kappa] = fit.parameterValues as number[];
  const model = uslModel([lambda!, sigma!, kappa!]);
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const ssTot = y.reduce((a, v) => a + (v - mean) ** 2, 0);
  const ssRes = x.reduce((a, n, i) => a + (y[i]! - model(n)) ** 2, 0);
  const peakN = kappa! > 1e-12 ? Math.sqrt((1 - sigma!) / kappa!) : null;
  const r = (v: number, d = 4): number => Math.round(v * 10 ** d) / 10 ** d;
  return {
    lambda: r(lambda!, 3),
    sigma: r(sigma!, 6),
    kappa: r(kappa!, 8),
    predicted_peak_rps: peakN !== null ? Math.round(model(peakN)) : null,
    peak_concurrency: peakN !== null ? r(peakN, 1) : null,
    r2: ssTot > 0 ? r(1 - ssRes / ssTot) : 0,
    points: pts.length,
  };
}
