/**
 * Weighted request mixes, pure. A request's kind is a function of the seed and the request
 * number alone (a counter-based random stream), so it is deterministic for a seed,
 * independent of arrival times, and the same whichever thread or agent sends the request:
 * shares need no coordination and a rerun with the same seed sends the same kinds.
 */
export class KindPicker {
  /** Cumulative weights scaled to 2^32, so a pick is one hash and a short scan. */
  private readonly bounds: number[];
  private readonly salt: number;

  constructor(weights: readonly number[], seed: number) {
    const total = weights.reduce((a, w) => a + w, 0);
    if (!(total > 0) || weights.some((w) => !(w >= 0)))
      throw new Error('KindPicker: weights must be >= 0 with a positive sum');
    let acc = 0;
    this.bounds = weights.map((w) => {
      acc += w;
      return Math.floor((acc / total) * 2 ** 32);
    });
    this.bounds[this.bounds.length - 1] = 2 ** 32;
    this.salt = fmix32(seed ^ 0x9e3779b9);
  }

  /** The kind (index into the weights) of request number `seq`. */
  pick(seq: number): number {
    const u = uniform32(seq, this.salt);
    const b = this.bounds;
    for (let i = 0; i < b.length - 1; i++) if (u < b[i]!) return i;
    return b.length - 1;
  }
}

/** A 32-bit unsigned value, uniform over seq for a fixed salt (request numbers < 2^53). */
export function uniform32(seq: number, salt: number): number {
  const lo = seq >>> 0;
  const hi = Math.floor(seq / 2 ** 32) >>> 0;
  return fmix32(fmix32(lo ^ salt) ^ Math.imul(hi + 1, 0x85ebca6b)) >>> 0;
}

/** MurmurHash3's finaliser: every input bit flips about half the output bits. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
