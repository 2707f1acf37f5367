import type * as hdr from 'hdr-histogram-js';
// The histogram class and the JS encoding only, not the package's index: that also loads a
// WebAssembly build (decoded from base64) and the log writer, whose Intl number formatter is
// made at import: ~30 ms of CPU at every start of every command (the CLI's start-up is what a
// short, slow run mostly costs). Same classes, same encoding as through the index.
// Loaded with require: ESM's default import of these CommonJS modules differs between Node
// (module.exports) and the test runner (exports.default).
import { Module, createRequire } from 'node:module';
import { dirname } from 'node:path';
const require = createRequire(import.meta.url);

/**
 * The encoding module requires pako when it loads, for browsers: on Node it deflates and
 * inflates with zlib (its findDeflateFunction/findInflateFunction try zlib first) and never
 * calls pako. Loading pako's 16 files cost ~18 ms of CPU at every start of every command
 * (`perf stat -r 10`: a script that only requires it 111-113 ms, an empty one 92-95 ms), so
 * an empty module stands in for it in the require cache, which Node documents as open to
 * adding entries. Where something loaded the real pako first, that one stays.
 */
function skipBrowserOnlyPako(): void {
  const from = dirname(require.resolve('hdr-histogram-js/dist/JsHistogram.encoding.js'));
  const path = require.resolve('pako', { paths: [from] });
  if (require.cache[path]) return;
  const stub = new Module(path);
  stub.filename = path;
  stub.loaded = true;
  stub.exports = {};
  require.cache[path] = stub;
}
skipBrowserOnlyPako();

const Int32Histogram = (
  require('hdr-histogram-js/dist/Int32Histogram.js') as typeof import('hdr-histogram-js/dist/Int32Histogram.js')
).default;
const { decompress, doDecode } =
  require('hdr-histogram-js/dist/JsHistogram.encoding.js') as typeof import('hdr-histogram-js/dist/JsHistogram.encoding.js');
const ulp = (
  require('hdr-histogram-js/dist/ulp.js') as typeof import('hdr-histogram-js/dist/ulp.js')
).default;

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
  const h = doDecode(decompress(Buffer.from(b64.trim(), 'base64')), 32);
  h.autoResize = true; // as newHistogram()
  return h;
}

/**
 * The decoded histogram itself, not a copy added into a new one: decoding fills and scans
 * only the buckets up to the highest recorded value, where `add` walks all ~23,500 of them.
 * Same class, range and counts as newHistogram() filled with the same values (a unit test
 * compares them), since every histogram here is encoded from one made by newHistogram().
 */
export function decode(b64: string): Histogram {
  return b64 ? decodeOne(b64) : newHistogram();
}

/**
 * Exact merge: HDR counts add bucket by bucket. A single part is already its own merge,
 * and goes back as it came: a run on one thread merges each of its intervals "across" one
 * part.
 */
export function mergeEncoded(parts: readonly string[]): string {
  const given = parts.filter((p) => p);
  if (given.length === 1) return given[0]!;
  const h = newHistogram();
  for (const p of given) h.add(decodeOne(p));
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

const SUMMARY_PERCENTILES = [50, 90, 95, 99, 99.9] as const;

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
  const { at, mean } = walk(h, SUMMARY_PERCENTILES, true);
  const ms = (us: number): number => round3(us / 1000);
  // The edges of the extreme buckets, as a decoded histogram has them (the counts are all
  // an encoding keeps): a histogram summarised while live reads as the same one decoded.
  const j = h as unknown as hdr.JsHistogram;
  return {
    count: h.totalCount,
    p50_ms: ms(at[0]!),
    p90_ms: ms(at[1]!),
    p95_ms: ms(at[2]!),
    p99_ms: ms(at[3]!),
    p999_ms: ms(at[4]!),
    max_ms: ms(j.highestEquivalentValue(h.maxValue)),
    mean_ms: ms(mean),
    min_ms: ms(j.lowestEquivalentValue(h.minNonZeroValue)),
  };
}

/** `h.getValueAtPercentile(p)` for each of ascending percentiles `ps`, in one walk. */
export function percentilesUs(h: Histogram, ps: readonly number[]): number[] {
  return walk(h, ps, false).at;
}

/**
 * `h.mean` without the library's iterator, which walks every bucket through an object per
 * step: ~60 ms of a 1 s run's CPU went to the result's means. Same sum in the same order
 * (each bucket's median equivalent value times its count), so the same number; a unit test
 * compares them.
 */
export function meanUs(h: Histogram): number {
  return walk(h, [], true).mean;
}

/**
 * The values at ascending percentiles and, when asked, the mean, in one walk of the counts
 * that stops at the last bucket it needs. The library walks once per percentile and once
 * more for the mean, each step through its own value methods (a logarithm per call): a result
 * summarises a dozen histograms, and V8 compiled each of those loops with its optimising
 * compiler, ~200 ms of CPU in an 8 s run at 1,000 req/s (measured with --trace-opt), about a
 * fifth of what the load itself cost. The values are the library's own: the same rank (its
 * rounding of the percentile's count, ulp included) and the same bucket edges, from the
 * bucket index by shifts (below); a unit test compares them.
 */
function walk(
  h: Histogram,
  ps: readonly number[],
  withMean: boolean,
): { at: number[]; mean: number } {
  const j = h as unknown as hdr.JsHistogram;
  const total = h.totalCount;
  const ranks = ps.map((p) => {
    const fp = (Math.min(p, 100) / 100) * total;
    return Math.max(Math.ceil(fp - ulp(fp)), 1);
  });
  const at = ps.map(() => 0);
  const half = j.subBucketHalfCount;
  const halfMag = j.subBucketHalfCountMagnitude;
  const unit = j.unitMagnitude;
  let k = 0;
  let seen = 0;
  let sum = 0;
  for (let i = 0; seen < total && i < j.countsArrayLength; i++) {
    const c = j.getCountAtIndex(i);
    if (c === 0) continue;
    seen += c;
    // valueFromIndex(i), and its bucket's width: the first two buckets share a width.
    const bucket = Math.max((i >> halfMag) - 1, 0);
    const width = 2 ** (bucket + unit);
    const low = (i < half ? i : (i & (half - 1)) + half) * width;
    // medianEquivalentValue(highestEquivalentValue(low)), as h.mean sums it
    sum += (low + Math.floor(width / 2)) * c;
    // The library answers its 0th percentile with the bucket's lowest value, others with its
    // highest.
    for (; k < ranks.length && seen >= ranks[k]!; k++) at[k] = ps[k] === 0 ? low : low + width - 1;
    if (k === ranks.length && !withMean) break;
  }
  return { at, mean: total === 0 ? 0 : sum / total };
}

/** The percentile spectrum in the classic `.hgrm` text format (values in ms). */
export function toHgrm(h: Histogram): string {
  return h.outputPercentileDistribution(5, 1000);
}
