import { describe, expect, it } from 'vitest';
import { Fifo } from '../../src/util/fifo.js';

describe('Fifo', () => {
  it('keeps order across compactions and reports its size', () => {
    const q = new Fifo<number>();
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 300; i++) q.push(next++);
      for (let i = 0; i < 250; i++) expect(q.shift()).toBe(expected++);
      expect(q.size).toBe(next - expected);
      expect(q.peek()).toBe(expected);
    }
    while (q.size) expect(q.shift()).toBe(expected++);
    expect(q.shift()).toBeUndefined();
    q.push(1);
    q.clear();
    expect(q.size).toBe(0);
  });
});
