import { describe, expect, it } from 'vitest';
import { asGateDoc } from '../../src/gate/document.js';
import { evaluate } from '../../src/gate/evaluate.js';
import { normalizePolicy } from '../../src/gate/policy.js';
import { decode, summarize } from '../../src/record/histogram.js';
import { mergeSnapshots } from '../../src/record/merge.js';
import { OK, Recorder } from '../../src/record/recorder.js';
import { kindMetrics } from '../../src/result/by-kind.js';

const T0 = 1_000_000;
const NAMES = ['fast', 'slow'];

/** One recorder's worth of requests: kind 0 answers in 1 ms, kind 1 in 20 ms or fails. */
function record(r: Recorder, from: number, n: number): void {
  for (let i = from; i < from + n; i++) {
    const t = T0 + i;
    const kind = i % 4 === 0 ? 1 : 0;
    r.scheduled(t);
    r.sent(t, t, t, kind);
    if (kind === 1 && i % 8 === 0)
      r.completed(t, t, t + 20, { kind: 'error', cls: 'http_5xx' }, kind);
    else if (kind === 1 && i % 12 === 4) r.completed(t, t, t + 30, { kind: 'timeout' }, kind);
    else r.completed(t, t, t + (kind ? 20 : 1), OK, kind);
  }
}

describe('results per request kind', () => {
  it('counts each kind apart, adding up to the run, warm-up excluded', () => {
    const r = new Recorder(T0, T0 + 10_000, false, NAMES);
    r.scheduled(T0 - 1);
    r.sent(T0 - 1, T0 - 1, T0 - 1, 1); // warm-up: not in the kind either
    r.completed(T0 - 1, T0 - 1, T0, OK, 1);
    record(r, 0, 1000);
    const s = r.snapshot();
    const k = s.by_kind!;
    expect(k.fast!.sent + k.slow!.sent).toBe(s.counters.sent);
    expect(k.fast!.ok + k.slow!.ok).toBe(s.counters.ok);
    expect(k.fast!.errors + k.slow!.errors).toBe(s.counters.errors);
    expect(k.fast!.timeouts + k.slow!.timeouts).toBe(s.counters.timeouts);
    expect(k.fast).toMatchObject({ sent: 750, errors: 0, timeouts: 0, errors_by_class: {} });
    expect(k.slow!.errors_by_class).toEqual({ http_5xx: 125, timeout: k.slow!.timeouts });
    expect(decode(k.slow!.latency).totalCount).toBe(k.slow!.ok);
  });

  it('merges kinds across shards exactly, and each p99 is its own histogram p99', () => {
    const a = new Recorder(T0, T0 + 10_000, false, NAMES);
    const b = new Recorder(T0, T0 + 10_000, false, NAMES);
    const whole = new Recorder(T0, T0 + 10_000, false, NAMES);
    record(a, 0, 500);
    record(b, 500, 500);
    record(whole, 0, 1000);
    const merged = mergeSnapshots([a.snapshot(), b.snapshot()]).by_kind!;
    const one = whole.snapshot().by_kind!;
    for (const name of NAMES) {
      const { latency: ml, ...mc } = merged[name]!;
      const { latency: wl, ...wc } = one[name]!;
      expect(mc).toEqual(wc);
      expect(decode(ml).totalCount).toBe(decode(wl).totalCount);
    }
    const m = kindMetrics(merged, 10);
    expect(m.fast!.latency_p99_ms).toBe(summarize(decode(merged.fast!.latency)).p99_ms);
    expect(m.slow!.latency_p99_ms).toBeGreaterThan(19);
    expect(m.fast!.latency_p99_ms).toBeLessThan(1.1);
    expect(m.fast!.rps + m.slow!.rps).toBe(100 - m.slow!.timeouts_total / 10);
    expect(m.slow!.error_rate).toBeCloseTo(m.slow!.errors_total / 250, 3);
  });

  it('a gate rule can name by_kind.NAME.METRIC, and passes or fails as its numbers say', () => {
    const doc = (p99: number, what: 'baseline' | 'candidate') =>
      asGateDoc(
        { metrics: { rps: 100 }, by_kind: { decide: { latency_p99_ms: p99, requests_total: 9 } } },
        `${what}.json`,
        what,
      );
    const policy = normalizePolicy({
      rules: { 'by_kind.decide.latency_p99_ms': { relative: { max_pct_increase: 10 } } },
    });
    expect(evaluate(policy, doc(10, 'baseline'), doc(10.9, 'candidate')).exitCode).toBe(0);
    const worse = evaluate(policy, doc(10, 'baseline'), doc(11.5, 'candidate'));
    expect(worse.exitCode).toBe(1);
    expect(worse.rules[0]).toMatchObject({
      metric: 'by_kind.decide.latency_p99_ms',
      candidate: 11.5,
    });
  });
});
