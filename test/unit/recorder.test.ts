import { describe, expect, it } from 'vitest';
import { decode, newHistogram, encode, summarize } from '../../src/record/histogram.js';
import { mergeSnapshots } from '../../src/record/merge.js';
import { OK, Recorder } from '../../src/record/recorder.js';

// Times are explicit epoch milliseconds: the recorder never reads a clock.
const T0 = 1_000_000;

describe('Recorder', () => {
  it('measures latency from the intended time and service time from the actual send', () => {
    const r = new Recorder(T0, T0 + 10_000);
    r.scheduled(T0 + 100);
    r.sent(T0 + 100, T0 + 100, T0 + 150); // waited 50 ms for a slot
    r.completed(T0 + 100, T0 + 150, T0 + 160, OK);
    const s = r.snapshot();
    // 3 significant digits: values are exact to within 0.1%.
    expect(decode(s.histograms.latency).maxValue / 60_000).toBeCloseTo(1, 2);
    expect(decode(s.histograms.service_time).maxValue / 10_000).toBeCloseTo(1, 2);
  });

  it('excludes warm-up by intended time, even when the answer comes after warm-up', () => {
    const r = new Recorder(T0, T0 + 10_000);
    r.scheduled(T0 - 5);
    r.sent(T0 - 5, T0 - 5, T0 - 5);
    r.completed(T0 - 5, T0 - 5, T0 + 500, OK);
    const s = r.snapshot();
    expect(s.counters.ok).toBe(0);
    expect(s.warmup.ok).toBe(1);
    expect(decode(s.histograms.latency).totalCount).toBe(0);
    expect(s.intervals).toHaveLength(0);
  });

  it('keeps the counters consistent: scheduled = sent + not sent; sent = ok + errors + timeouts + in flight', () => {
    const r = new Recorder(T0, T0 + 10_000);
    for (let i = 0; i < 10; i++) r.scheduled(T0 + i);
    for (let i = 0; i < 8; i++) r.sent(T0 + i, T0 + i, T0 + i);
    r.notSent(T0 + 8);
    r.notSent(T0 + 9);
    for (let i = 0; i < 4; i++) r.completed(T0 + i, T0 + i, T0 + i + 1, OK);
    r.completed(T0 + 4, T0 + 4, T0 + 5, {
      kind: 'error',
      cls: 'http_503',
      backpressure: 'http_503',
    });
    r.completed(T0 + 5, T0 + 5, T0 + 6, { kind: 'error', cls: 'app:invalid_request' });
    r.completed(T0 + 6, T0 + 6, T0 + 9000, { kind: 'timeout' });
    r.inFlightAtEnd(T0 + 7);
    const { counters: c, errors_by_class, backpressure_by_kind } = r.snapshot();
    expect(c.scheduled).toBe(c.sent + c.not_sent);
    expect(c.sent).toBe(c.ok + c.errors + c.timeouts + c.in_flight_at_end);
    expect(c).toMatchObject({
      ok: 4,
      errors: 2,
      timeouts: 1,
      in_flight_at_end: 1,
      backpressure_total: 1,
    });
    expect(errors_by_class).toEqual({ http_503: 1, 'app:invalid_request': 1, timeout: 1 });
    expect(backpressure_by_kind).toEqual({ http_503: 1 });
  });

  it('puts completions into per-second intervals by completion time', () => {
    const r = new Recorder(T0, T0 + 10_000);
    r.completed(T0, T0, T0 + 10, OK);
    r.completed(T0 + 900, T0 + 900, T0 + 1200, OK); // answered in second 1
    r.completed(T0 + 2100, T0 + 2100, T0 + 2101, { kind: 'timeout' });
    const s = r.snapshot();
    expect(s.intervals.map((i) => [i.t, i.ok, i.timeouts])).toEqual([
      [0, 1, 0],
      [1, 1, 0],
      [2, 0, 1],
    ]);
    expect(decode(s.intervals[1]!.latency).maxValue).toBeCloseTo(300_000, -3);
  });

  it('gives each interval the summary of its own histogram, which merged intervals drop', () => {
    const make = (k: number) => {
      const r = new Recorder(T0, T0 + 10_000);
      for (let i = 0; i < 500; i++) r.completed(T0, T0, T0 + 1 + ((i * k) % 700) / 7, OK);
      r.completed(T0 + 1000, T0 + 1000, T0 + 1500, OK);
      return r.snapshot();
    };
    const s = make(3);
    expect(s.intervals).toHaveLength(2);
    for (const iv of s.intervals) expect(iv.summary).toEqual(summarize(decode(iv.latency)));
    expect(s.intervals[0]!.summary!.count).toBe(500);
    // A merged second's summary is not either part's: it must come from the merged histogram.
    const merged = mergeSnapshots([s, make(5)]);
    for (const iv of merged.intervals) expect(iv.summary).toBeUndefined();
  });
});

describe('mergeSnapshots', () => {
  it('merges exactly: the merged p99 is the p99 of the union of the values', () => {
    const parts = [1, 2, 3].map((k) => {
      const r = new Recorder(T0, T0 + 10_000);
      for (let i = 0; i < 1000; i++) {
        const lat = (i % 100) * k + 1;
        r.scheduled(T0);
        r.sent(T0, T0, T0);
        r.completed(T0, T0, T0 + lat, OK);
      }
      return r.snapshot();
    });
    const merged = mergeSnapshots(parts);
    const union = newHistogram();
    for (const p of parts) union.add(decode(p.histograms.latency));
    expect(decode(merged.histograms.latency).getValueAtPercentile(99)).toBe(
      union.getValueAtPercentile(99),
    );
    expect(merged.counters.ok).toBe(3000);
    expect(merged.intervals.reduce((a, i) => a + i.ok, 0)).toBe(3000);
    expect(encode(decode(merged.histograms.latency))).toBe(encode(union));
  });
});
