import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import {
  HIGHEST_TRACKABLE_US,
  decode,
  encode,
  mergeEncoded,
  meanUs,
  newHistogram,
  percentilesUs,
  recordUs,
  summarize,
} from '../../src/record/histogram.js';
import { mulberry32 } from '../../src/schedule/arrivals.js';

describe('recordUs: the library recordValue, without its Math.pow', () => {
  it('puts every value where recordValue does: same counts, min, max, total', () => {
    const a = newHistogram();
    const b = newHistogram();
    const rng = mulberry32(7);
    const values: number[] = [1, 2, 1023, 1024, 2047, 2048, 2049, 4095, 4096, HIGHEST_TRACKABLE_US];
    // Every power of two and its neighbours (bucket edges), then a spread of magnitudes.
    for (let p = 0; p < 32; p++)
      for (const d of [-1, 0, 1]) {
        const v = 2 ** p + d;
        if (v >= 1 && v <= HIGHEST_TRACKABLE_US) values.push(v);
      }
    for (let i = 0; i < 200_000; i++)
      values.push(Math.max(1, Math.floor(Math.exp(rng() * Math.log(HIGHEST_TRACKABLE_US)))));
    for (const v of values) {
      a.recordValue(v);
      recordUs(b, v);
    }
    expect(encode(b)).toBe(encode(a));
    expect(summarize(b)).toEqual(summarize(a));
    expect(b.totalCount).toBe(values.length);
  });

  it('hands what it cannot place to recordValue (fractions, out of range)', () => {
    const a = newHistogram();
    const b = newHistogram();
    for (const v of [0.5, 1.5, 2.75, HIGHEST_TRACKABLE_US * 4]) {
      a.recordValue(v);
      recordUs(b, v);
    }
    expect(encode(b)).toBe(encode(a));
    expect(b.maxValue).toBe(a.maxValue);
  });
});

/**
 * A histogram spread over every magnitude (log-uniform), one narrow around 1 ms, and one
 * holding a single value, from one seed.
 */
function samples(seed: number): {
  spread: hdr.Histogram;
  narrow: hdr.Histogram;
  one: hdr.Histogram;
} {
  const rng = mulberry32(seed);
  const spread = newHistogram();
  for (let i = 0; i < 50_000; i++)
    recordUs(spread, Math.max(1, Math.floor(Math.exp(rng() * Math.log(HIGHEST_TRACKABLE_US)))));
  const narrow = newHistogram();
  for (let i = 0; i < 10_000; i++) recordUs(narrow, 900 + Math.floor(rng() * 300));
  const one = newHistogram();
  recordUs(one, 123_456);
  return { spread, narrow, one };
}

describe('meanUs: the library mean, without its iterator', () => {
  it('is the same number for spread, narrow, single-value and empty histograms', () => {
    const { spread, narrow, one } = samples(11);
    const hs = [spread, narrow, one, newHistogram()];
    for (const h of hs) expect(meanUs(h)).toBe(h.mean);
    expect(meanUs(narrow)).toBeGreaterThan(900);
    expect(meanUs(narrow)).toBeLessThan(1200);
  });
});

describe('histograms without the library index', () => {
  it('build, encode and decode as hdr.build and the index encoding do', () => {
    const ours = newHistogram();
    const theirs = hdr.build({
      bitBucketSize: 32,
      lowestDiscernibleValue: 1,
      highestTrackableValue: HIGHEST_TRACKABLE_US,
      numberOfSignificantValueDigits: 3,
      useWebAssembly: false,
    });
    expect(ours.constructor.name).toBe(theirs.constructor.name);
    expect(ours.autoResize).toBe(theirs.autoResize);
    const rnd = mulberry32(3);
    for (let i = 0; i < 20_000; i++) {
      const us = 1 + Math.floor(-Math.log(1 - rnd()) * 2000);
      ours.recordValue(us);
      theirs.recordValue(us);
    }
    const b64 = encode(ours);
    expect(b64).toBe(hdr.encodeIntoCompressedBase64(theirs));
    const back = decode(b64);
    expect(hdr.encodeIntoCompressedBase64(back)).toBe(b64);
    expect(back.totalCount).toBe(20_000);
    expect(decode(mergeEncoded([b64, b64])).totalCount).toBe(40_000);
  });
});

describe('percentilesUs and summarize: the library percentiles, in one walk', () => {
  const { spread, narrow, one } = samples(5);
  const few = newHistogram();
  for (const v of [3, 3, 70, 1_000_000]) recordUs(few, v);
  const ps = [0, 0.5, 1, 10, 25, 50, 90, 95, 99, 99.9, 99.99, 99.999, 100];

  it('gives getValueAtPercentile at every percentile, 0 and 100 included', () => {
    for (const h of [spread, narrow, few, one, newHistogram()])
      expect(percentilesUs(h, ps)).toEqual(ps.map((p) => h.getValueAtPercentile(p)));
    // Not the trivial answer: the walk found distinct values.
    expect(new Set(percentilesUs(spread, ps)).size).toBeGreaterThan(8);
  });

  it('summarises as the library methods do', () => {
    for (const h of [spread, narrow, few, one]) {
      const ms = (us: number): number => Math.round(us) / 1000;
      const s = summarize(h);
      expect(s.p50_ms).toBe(ms(h.getValueAtPercentile(50)));
      expect(s.p90_ms).toBe(ms(h.getValueAtPercentile(90)));
      expect(s.p95_ms).toBe(ms(h.getValueAtPercentile(95)));
      expect(s.p99_ms).toBe(ms(h.getValueAtPercentile(99)));
      expect(s.p999_ms).toBe(ms(h.getValueAtPercentile(99.9)));
      expect(s.mean_ms).toBe(Math.round(h.mean) / 1000);
      expect(s.count).toBe(h.totalCount);
    }
  });
});

describe('decode and mergeEncoded without a copy', () => {
  it('decodes to what newHistogram() holds after add: same class, range, counts', () => {
    const h = newHistogram();
    const rng = mulberry32(9);
    for (let i = 0; i < 5_000; i++) recordUs(h, 1 + Math.floor(rng() * 50_000));
    const b64 = encode(h);
    const viaAdd = newHistogram();
    viaAdd.add(decode(b64));
    const back = decode(b64);
    expect(back.constructor).toBe(viaAdd.constructor);
    expect(back.autoResize).toBe(true);
    expect((back as hdr.JsHistogram).countsArrayLength).toBe(
      (viaAdd as hdr.JsHistogram).countsArrayLength,
    );
    expect([back.totalCount, back.maxValue, back.minNonZeroValue]).toEqual([
      viaAdd.totalCount,
      viaAdd.maxValue,
      viaAdd.minNonZeroValue,
    ]);
    expect(encode(back)).toBe(encode(viaAdd));
    // Still a histogram to add into: a decoded one takes more values and merges.
    back.add(decode(b64));
    expect(back.totalCount).toBe(10_000);
    expect(decode('').totalCount).toBe(0);
  });

  it('passes a single part through and adds several', () => {
    const a = newHistogram();
    recordUs(a, 10);
    const b = newHistogram();
    recordUs(b, 20);
    recordUs(b, 30);
    expect(mergeEncoded(['', encode(a), ''])).toBe(encode(a));
    const m = decode(mergeEncoded([encode(a), '', encode(b)]));
    expect([m.totalCount, m.minNonZeroValue, m.maxValue]).toEqual([3, 10, 30]);
    expect(decode(mergeEncoded([])).totalCount).toBe(0);
  });
});

describe('loading the histograms', () => {
  it('leaves pako (browser-only in the encoding module) unloaded, and still encodes', () => {
    // A fresh process on the built module: here the index (imported above) loaded pako.
    const url = pathToFileURL(join(ROOT, 'dist/record/histogram.js')).href;
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const h = await import(${JSON.stringify(url)});
const x = h.newHistogram();
for (let us = 1; us <= 5000; us++) h.recordUs(x, us);
const back = h.decode(h.encode(x));
const { createRequire } = await import('node:module');
const cache = createRequire(process.cwd() + '/').cache;
const pako = Object.keys(cache).filter((k) => k.includes('/pako/'));
console.log(JSON.stringify({ total: back.totalCount, p50: h.summarize(back).p50_ms,
  pakoFiles: pako.length, pakoExports: pako.map((k) => Object.keys(cache[k].exports).length) }));`,
      ],
      { encoding: 'utf8', cwd: ROOT, timeout: 20_000 },
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      total: 5000,
      p50: 2.501,
      pakoFiles: 1,
      pakoExports: [0],
    });
  });
});
