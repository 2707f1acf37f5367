import { describe, expect, it } from 'vitest';
import { SeqTable } from '../../src/util/seq-table.js';

describe('SeqTable', () => {
  it('finds each waiter by its number, including numbers that share a slot', () => {
    const t = new SeqTable<string>(3); // 8 slots: 1, 9 and 17 share one
    t.set(1, 'a');
    t.set(9, 'b');
    t.set(17, 'c');
    t.set(2, 'd');
    expect(t.size).toBe(4);
    expect(t.get(9)).toBe('b');
    expect(t.take(1)).toBe('a');
    expect(t.get(1)).toBeUndefined();
    // The slot is free again, but 9 and 17 still answer from where they went.
    expect(t.take(17)).toBe('c');
    expect(t.take(9)).toBe('b');
    expect(t.take(9)).toBeUndefined();
    expect(t.size).toBe(1);
    t.set(25, 'e'); // takes the freed slot
    expect(t.get(25)).toBe('e');
    expect(t.get(17)).toBeUndefined();
    t.delete(2);
    t.delete(25);
    expect(t.size).toBe(0);
  });

  it('agrees with a Map over a long run of sets and takes out of order', () => {
    const t = new SeqTable<number>(4);
    const m = new Map<number, number>();
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let next = 0;
    for (let step = 0; step < 20_000; step++) {
      if (m.size < 40 && rnd() < 0.55) {
        t.set(next, next * 2);
        m.set(next, next * 2);
        next += 1 + Math.floor(rnd() * 3);
      } else if (m.size) {
        const keys = [...m.keys()];
        const k = rnd() < 0.8 ? keys[0]! : keys[Math.floor(rnd() * keys.length)]!;
        expect(t.take(k)).toBe(m.get(k));
        m.delete(k);
      }
      expect(t.size).toBe(m.size);
    }
    for (const [k, v] of m) expect(t.get(k)).toBe(v);
  });
});
