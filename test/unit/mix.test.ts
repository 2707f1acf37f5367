import { describe, expect, it } from 'vitest';
import { KindPicker } from '../../src/workload/mix.js';

const counts = (p: KindPicker, seqs: Iterable<number>, n: number): number[] => {
  const c = new Array<number>(n).fill(0);
  for (const s of seqs) c[p.pick(s)]!++;
  return c;
};
const range = (from: number, to: number, step = 1): number[] => {
  const out: number[] = [];
  for (let i = from; i < to; i += step) out.push(i);
  return out;
};

describe('KindPicker', () => {
  it('gives each kind its weight: 70/20/10 within 1.5 points over 10,000 requests', () => {
    for (const seed of [1, 2, 42, 123456]) {
      const c = counts(new KindPicker([70, 20, 10], seed), range(0, 10_000), 3);
      expect(Math.abs(c[0]! / 100 - 70)).toBeLessThan(1.5);
      expect(Math.abs(c[1]! / 100 - 20)).toBeLessThan(1.5);
      expect(Math.abs(c[2]! / 100 - 10)).toBeLessThan(1.5);
    }
  });

  it('is a function of seed and request number: the same kinds in any share split', () => {
    const a = new KindPicker([3, 1], 7);
    const b = new KindPicker([3, 1], 7);
    const whole = range(0, 2000).map((s) => a.pick(s));
    // Two threads take the even and the odd request numbers: the same kinds per number.
    const split = range(0, 2000).map((s) => (s % 2 ? b.pick(s) : a.pick(s)));
    expect(split).toEqual(whole);
    const other = range(0, 2000).map((s) => new KindPicker([3, 1], 8).pick(s));
    expect(other).not.toEqual(whole);
  });

  it('each share of an interleaved schedule sees the same mix', () => {
    const p = new KindPicker([50, 50], 1);
    for (const start of [0, 1, 2]) {
      const c = counts(p, range(start, 30_000, 3), 2);
      expect(Math.abs(c[0]! / (c[0]! + c[1]!) - 0.5)).toBeLessThan(0.015);
    }
  });

  it('never picks a kind of weight 0, and refuses no weight at all', () => {
    const c = counts(new KindPicker([0, 1, 0], 3), range(0, 5000), 3);
    expect(c).toEqual([0, 5000, 0]);
    expect(() => new KindPicker([0, 0], 1)).toThrow();
  });
});
