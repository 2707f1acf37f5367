import * as hdr from 'hdr-histogram-js';

/**
 * HDR histograms in microseconds with 3 significant digits: fixed memory whatever the run
 * length, exact merges across threads and agents, and the standard compressed base64
 * encoding so results can be re-analysed with any HdrHistogram tool.
 */
export type Histogram = hdr.Histogram;

/** One hour in µs: anything slower is a timeout by any sane policy. */
export const HIGHEST_TRACKABLE_US = 3_600_000_000;

export function newHistogram(): Histogram {
  return hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

export function msToUs(ms: number): number {
  const us = Math.round(ms * 1000);
  if (us < 1) return 1;
  return us > HIGHEST_TRACKABLE_US ? HIGHEST_TRACKABLE_US : us;
}

export function encode(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decode(b64: string): Histogram {
  const h = newHistogram();
  if (b64) h.add(hdr.decodeFromCompressedBase64(b64, 32, false));
  return h;
}

/** Exact merge: HDR counts add bucket by bucket. */
export function mergeEncoded(parts: readonly string[]): string {
  const h = newHistogram();
  for (const p of parts) if (p) h.add(hdr.decodeFromCompressedBase64(p, 32, false));
  return encode(h);
}

export interface LatencySummary {
  count: number;
  p50_ms: number;
  p90_ms: number;
  p95_ms: number;
  p99_ms: number;
  p999_ms: number;
  max_ms: number;
  mean_ms: number;
  min_ms: number;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export function summarize(h: Histogram): LatencySummary {
  if (h.totalCount === 0) {
    return {
      count: 0,
      p50_ms: 0,
      p90_ms: 0,
      p95_ms: 0,
      p99_ms: 0,
      p999_ms: 0,
      max_ms: 0,
      mean_ms: 0,
      min_ms: 0,
    };
  }
  const at = (p: number): number => round3(h.getValueAtPercentile(p) / 1000);
  return {
    count: h.totalCount,
    p50_ms: at(50),
    p90_ms: at(90),
    p95_ms: at(95),
    p99_ms: at(99),
    p999_ms: at(99.9),
    max_ms: round3(h.maxValue / 1000),
    mean_ms: round3(h.mean / 1000),
    min_ms: round3(h.minNonZeroValue / 1000),
  };
}

/** The percentile spectrum in the classic `.hgrm` text format (values in ms). */
export function toHgrm(h: Histogram): string {
  return h.outputPercentileDistribution(5, 1000);
}
