import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import {
  HIGHEST_TRACKABLE_US,
  decode,
  encode,
  mergeEncoded,
  meanUs,
  newHistogram,
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

describe('meanUs: the library mean, without its iterator', () => {
  it('is the same number for spread, narrow, single-value and empty histograms', () => {
    const rng = mulberry32(11);
    const spread = newHistogram();
    for (let i = 0; i < 50_000; i++)
      recordUs(spread, Math.max(1, Math.floor(Math.exp(rng() * Math.log(HIGHEST_TRACKABLE_US)))));
    const narrow = newHistogram();
    for (let i = 0; i < 10_000; i++) recordUs(narrow, 900 + Math.floor(rng() * 300));
    const one = newHistogram();
    recordUs(one, 123_456);
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
