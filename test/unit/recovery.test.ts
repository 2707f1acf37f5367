import { describe, expect, it } from 'vitest';
import { analyseRecovery } from '../../src/fault/recovery.js';

/** 100 ms buckets of 100 answers each, the slowest 10 ms: a normal minute. */
function timeline(n = 60) {
  return {
    bucket_ms: 100,
    ok: Array<number>(n).fill(100),
    failed: Array<number>(n).fill(0),
    max_us: Array<number>(n).fill(10_000),
  };
}

describe('recovery after a fault (pure, by intended send time)', () => {
  it('a 1 s outage at 2 s, slow for 0.5 s after it: recovered at 3.5 s', () => {
    const tl = timeline();
    for (let b = 20; b < 30; b++) [tl.ok[b], tl.failed[b]] = [0, 100];
    for (let b = 30; b < 35; b++) tl.max_us[b] = 500_000;
    const a = analyseRecovery(tl, 2000, 3000, 2);
    expect(a.recovered_at_s).toBe(3.5);
    expect(a.recovery_time_s).toBe(0.5);
    expect(a.during).toEqual({ answers: 1500, failed: 1000, max_latency_ms: 500 });
    expect(a.normal).toEqual({ failure_rate: 0, slow_ms: 10 });
  });

  it('one stray slow bucket in a second is noise, two are not', () => {
    const one = timeline();
    for (let b = 20; b < 25; b++) one.failed[b] = 100;
    one.max_us[27] = 900_000; // a lone spike inside the first normal second
    expect(analyseRecovery(one, 2000, undefined, 2).recovered_at_s).toBe(2.5);
    const two = timeline();
    for (let b = 20; b < 25; b++) two.failed[b] = 100;
    two.max_us[27] = two.max_us[29] = 900_000;
    // The second that starts at 2.5 s has two slow buckets; the first clean one starts at 2.8.
    expect(analyseRecovery(two, 2000, undefined, 2).recovered_at_s).toBe(2.8);
  });

  it('without a recover command, recovery time counts from the fault', () => {
    const tl = timeline();
    for (let b = 20; b < 28; b++) [tl.ok[b], tl.failed[b]] = [50, 50];
    const a = analyseRecovery(tl, 2000, undefined, 2);
    expect(a.recover_at_s).toBeNull();
    expect(a.recovered_at_s).toBe(2.8);
    expect(a.recovery_time_s).toBe(0.8);
  });

  it('a target that never comes back has no recovery, and the whole rest is "during"', () => {
    const tl = timeline(40);
    for (let b = 20; b < 40; b++) [tl.ok[b], tl.failed[b], tl.max_us[b]] = [0, 0, 0];
    const a = analyseRecovery(tl, 2000, 2500, 2);
    expect(a.recovered_at_s).toBeNull();
    expect(a.recovery_time_s).toBeNull();
    expect(a.during).toEqual({ answers: 0, failed: 0, max_latency_ms: 0 });
  });

  it('the normal failure rate before the fault is the bar, not zero', () => {
    const tl = timeline();
    for (let b = 0; b < 20; b++) [tl.ok[b], tl.failed[b]] = [95, 5];
    for (let b = 20; b < 30; b++) [tl.ok[b], tl.failed[b]] = [0, 100];
    for (let b = 30; b < 60; b++) [tl.ok[b], tl.failed[b]] = [94, 6]; // within 5% + 1
    const a = analyseRecovery(tl, 2000, 3000, 2);
    expect(a.normal.failure_rate).toBe(0.05);
    expect(a.recovered_at_s).toBe(3);
  });
});
