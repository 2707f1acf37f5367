import type { DataRow } from '../transports/template.js';
import type { DataFeeder } from '../workload/feeder.js';
import type { KindPicker } from '../workload/mix.js';

/**
 * What each request is, for both loops: its kind in the mix (a pure function of the request
 * number) and its data row (taken in send order from this share's rows).
 */
export interface RequestSource {
  picker?: KindPicker | undefined;
  feeder?: DataFeeder | undefined;
}

/** The next request's row: a row, `wait` (none read yet), or `end` (on_end: stop, all used). */
export function nextRow(src: RequestSource | undefined): DataRow | 'wait' | 'end' | undefined {
  const f = src?.feeder;
  if (!f) return undefined;
  const row = f.take();
  if (row) return row;
  return f.exhausted ? 'end' : 'wait';
}
