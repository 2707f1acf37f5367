/**
 * Who waits for which request number, for the requests on the wire (NATS replies matched by
 * the number in their subject). A `Map` did this, and it is what made NATS runs' garbage
 * collection slow: with a few to a few hundred requests out, every set and delete moves the
 * Map across a size at which V8 grows or shrinks its table, and each new table is linked
 * from the one it replaced (for iterators). Once one table of that chain had been promoted
 * to the old generation, every later table and the callbacks they held survived each
 * scavenge until the next full collection: 1-2 MB copied per scavenge at 20k req/s, pauses
 * of 4-12 ms, seen as send lag (`--trace-gc-nvp`; ~0.1 MB and ~1 ms with this table).
 *
 * Here a number goes to a fixed slot (its low bits), allocated once; a number whose slot is
 * taken (a request still out 2^slotBits numbers later) goes to a Map, which a normal run
 * never touches.
 */
export class SeqTable<V> {
  private readonly mask: number;
  private readonly keys: Float64Array;
  private readonly values: (V | undefined)[];
  private readonly overflow = new Map<number, V>();
  private count = 0;

  constructor(slotBits = 14) {
    this.mask = (1 << slotBits) - 1;
    this.keys = new Float64Array(this.mask + 1);
    this.values = new Array<V | undefined>(this.mask + 1).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  set(seq: number, value: V): void {
    const i = seq & this.mask;
    const held = this.values[i];
    if (held !== undefined && this.keys[i] !== seq) {
      if (!this.overflow.has(seq)) this.count++;
      this.overflow.set(seq, value);
      return;
    }
    if (held === undefined) this.count++;
    this.keys[i] = seq;
    this.values[i] = value;
  }

  get(seq: number): V | undefined {
    const i = seq & this.mask;
    if (this.keys[i] === seq && this.values[i] !== undefined) return this.values[i];
    return this.overflow.size ? this.overflow.get(seq) : undefined;
  }

  /** Removes and returns what waited for `seq`. */
  take(seq: number): V | undefined {
    const i = seq & this.mask;
    const v = this.values[i];
    if (v !== undefined && this.keys[i] === seq) {
      this.values[i] = undefined;
      this.count--;
      return v;
    }
    if (!this.overflow.size) return undefined;
    const o = this.overflow.get(seq);
    if (o !== undefined) {
      this.overflow.delete(seq);
      this.count--;
    }
    return o;
  }

  delete(seq: number): void {
    this.take(seq);
  }
}
