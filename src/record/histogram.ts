import type * as hdr from 'hdr-histogram-js';
// The histogram class and the JS encoding only, not the package's index: that also loads a
// WebAssembly build (decoded from base64) and the log writer, whose Intl number formatter is
// made at import: ~30 ms of CPU at every start of every command (the CLI's start-up is what a
// short, slow run mostly costs). Same classes, same encoding as through the index.
// Loaded with require: ESM's default import of these CommonJS modules differs between Node
// (module.exports) and the test runner (exports.default).
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const Int32Histogram = (
  require('hdr-histogram-js/dist/Int32Histogram.js') as typeof import('hdr-histogram-js/dist/Int32Histogram.js')
).default;
const { decompress, doDecode } =
  require('hdr-histogram-js/dist/JsHistogram.encoding.js') as typeof import('hdr-histogram-js/dist/JsHistogram.encoding.js');

/**
 * HDR histograms in microseconds with 3 significant digits: fixed memory whatever the run
 * length, exact merges across threads and agents, and the standard compressed base64
 * encoding so results can be re-analysed with any HdrHistogram tool.
 */
export type Histogram = hdr.Histogram;

/** One hour in µs: anything slower is a timeout by any sane policy. */
export const HIGHEST_TRACKABLE_US = 3_600_000_000;

export function newHistogram(): Histogram {
  const h = new Int32Histogram(1, HIGHEST_TRACKABLE_US, 3);
  h.autoResize = true; // as hdr.build() sets it
  return h;
}

export function msToUs(ms: number): number {
  const us = Math.round(ms * 1000);
  if (us < 1) return 1;
  return us > HIGHEST_TRACKABLE_US ? HIGHEST_TRACKABLE_US : us;
}

/**
 * `h.recordValue(us)` at a fifth of its cost, for the per-request hot path. hdr-histogram-js
 * finds a value's bucket with Math.log2 and Math.pow (~90 ns a value here, a tenth of the
 * generator's CPU in a 300k msg/s NATS publish run, four values per request); the same
 * bucket comes from Math.clz32 and shifts, since values are whole µs below 2^32. The counts
 * are the library's own (same index, min, max and total): a unit test records the whole
 * range both ways and compares the encoded histograms.
 */
export function recordUs(h: Histogram, us: number): void {
  const j = h as unknown as hdr.JsHistogram;
  if (!(us >= 1 && us <= HIGHEST_TRACKABLE_US) || us !== Math.floor(us)) {
    h.recordValue(us);
    return;
  }
  const half = j.subBucketHalfCountMagnitude;
  const unit = j.unitMagnitude;
  const bucket = Math.max(31 - Math.clz32(us) - half - unit, 0);
  const index = ((bucket + 1) << half) + (us >>> (bucket + unit)) - j.subBucketHalfCount;
  if (index >= j.countsArrayLength) {
    h.recordValue(us);
    return;
  }
  j.incrementCountAtIndex(index);
  j.updateMinAndMax(us);
  j.incrementTotalCount();
}

export function encode(h: Histogram): string {
  return (h as hdr.JsHistogram).encodeIntoCompressedBase64();
}

/** hdr.decodeFromCompressedBase64(b64, 32, false), without the index. */
function decodeOne(b64: string): Histogram {
  return doDecode(decompress(Buffer.from(b64.trim(), 'base64')), 32);
}

export function decode(b64: string): Histogram {
  const h = newHistogram();
  if (b64) h.add(decodeOne(b64));
  return h;
}

/** Exact merge: HDR counts add bucket by bucket. */
export function mergeEncoded(parts: readonly string[]): string {
  const h = newHistogram();
  for (const p of parts) if (p) h.add(decodeOne(p));
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
    mean_ms: round3(meanUs(h) / 1000),
    min_ms: round3(h.minNonZeroValue / 1000),
  };
}

/**
 * `h.mean` without the library's iterator, which walks every bucket through an object per
 * step: ~60 ms of a 1 s run's CPU went to the result's means. Same sum in the same order
 * (each bucket's median equivalent value times its count), so the same number; a unit test
 * compares them. The walk stops at the last recorded bucket.
 */
export function meanUs(h: Histogram): number {
  const j = h as unknown as hdr.JsHistogram;
  const total = h.totalCount;
  let seen = 0;
  let sum = 0;
  for (let i = 0; seen < total && i < j.countsArrayLength; i++) {
    const c = j.getCountAtIndex(i);
    if (c === 0) continue;
    seen += c;
    sum += j.medianEquivalentValue(j.highestEquivalentValue(j.valueFromIndex(i))) * c;
  }
  return total === 0 ? 0 : sum / total;
}

/** The percentile spectrum in the classic `.hgrm` text format (values in ms). */
export function toHgrm(h: Histogram): string {
  return h.outputPercentileDistribution(5, 1000);
}
