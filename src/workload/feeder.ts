import type { DataRow } from '../transports/template.js';
import { Fifo } from '../util/fifo.js';
import { uniform32 } from './mix.js';
import { readRows } from './rows.js';

/** `--data`: where rows come from and what happens at the end of the file. */
export interface DataSpec {
  file: string;
  /** `random`: a shuffle window of WINDOW rows (the file is streamed, never loaded whole). */
  order: 'sequential' | 'random';
  /** `wrap`: start the file again; `stop`: the run sends nothing more (counted not sent). */
  onEnd: 'wrap' | 'stop';
}

/** Rows read ahead (and the shuffle window): enough for ~1 s at 8k req/s per thread. */
export const WINDOW = 8192;

/**
 * One share's rows of a data file, read ahead on a background pump so a request takes its
 * row synchronously. Share i of n takes rows i+1, i+1+n, ... (disjoint across threads and
 * agents). Memory is bounded by the window whatever the file's size.
 */
export class DataFeeder {
  private readonly fifo = new Fifo<DataRow>();
  private readonly pool: DataRow[] = [];
  private ended = false;
  private closed = false;
  private draws = 0;
  private readonly salt: number;
  private space: (() => void) | undefined;
  private onRows: (() => void) | undefined;
  private filled!: () => void;
  private readonly ready = new Promise<void>((r) => (this.filled = r));
  /** Why reading stopped early, when it did (the file changed after it was checked). */
  failure: Error | undefined;

  constructor(
    private readonly spec: DataSpec,
    private readonly share: { index: number; count: number },
    seed: number,
  ) {
    this.salt = (seed * 0x27d4eb2d + share.index) >>> 0;
  }

  /** Starts reading; resolves once the window is full (or the file ended). */
  async open(): Promise<void> {
    void this.pump();
    await this.ready;
  }

  get size(): number {
    return this.spec.order === 'random' ? this.pool.length : this.fifo.size;
  }

  /** Nothing left, nor coming (on_end: stop). */
  get exhausted(): boolean {
    return this.ended && this.size === 0;
  }

  /** Called when rows arrive while none were ready. */
  setRowsListener(fn: () => void): void {
    this.onRows = fn;
  }

  /** The next row, or undefined when none is ready yet (or ever: see `exhausted`). */
  take(): DataRow | undefined {
    let row: DataRow | undefined;
    if (this.spec.order === 'random') {
      const n = this.pool.length;
      if (n === 0) return undefined;
      const i = Math.floor((uniform32(this.draws++, this.salt) / 2 ** 32) * n);
      row = this.pool[i];
      this.pool[i] = this.pool[n - 1]!;
      this.pool.pop();
    } else row = this.fifo.shift();
    if (this.space && this.size <= WINDOW / 2) {
      const go = this.space;
      this.space = undefined;
      go();
    }
    return row;
  }

  close(): void {
    this.closed = true;
    this.space?.();
  }

  private push(row: DataRow): void {
    const wasEmpty = this.size === 0;
    if (this.spec.order === 'random') this.pool.push(row);
    else this.fifo.push(row);
    if (wasEmpty) this.onRows?.();
  }

  private async pump(): Promise<void> {
    const { index, count } = this.share;
    try {
      // A share whose rows fit in the window keeps them after the first pass and wraps from
      // memory: a small file is not reopened thousands of times a second.
      let pass: DataRow[] | undefined = [];
      for (;;) {
        let mine = 0;
        for await (const { row } of readRows(this.spec.file, (n) => (n - 1) % count === index)) {
          mine++;
          if (pass && pass.push(row) > WINDOW) pass = undefined;
          if (!(await this.offer(row))) return;
        }
        if (mine === 0 || this.spec.onEnd === 'stop') break;
        if (pass) {
          for (;;) for (const row of pass) if (!(await this.offer(row))) return;
        }
      }
    } catch (e) {
      this.failure = e as Error;
    }
    this.ended = true;
    this.filled();
    this.onRows?.();
  }

  /** Adds a row; waits while the window is full. False once the feeder is closed. */
  private async offer(row: DataRow): Promise<boolean> {
    this.push(row);
    if (this.size >= WINDOW) {
      this.filled();
      await new Promise<void>((r) => (this.space = r));
    }
    return !this.closed;
  }
}
