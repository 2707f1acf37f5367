import { HistogramLogWriter } from 'hdr-histogram-js';
import { decode } from '../record/histogram.js';
import type { RecorderSnapshot } from '../record/recorder.js';

/**
 * The per-second latency histograms in the HdrHistogram interval log format (v1.3), which
 * HistogramLogProcessor, HdrHistogramVisualizer and friends read. Values are µs; the
 * max-value column is in ms (unit ratio 1000).
 */
export function intervalLog(s: RecorderSnapshot): string {
  let text = '';
  const w = new HistogramLogWriter((chunk: string) => (text += chunk));
  w.outputComment(
    'bench-router latency from intended send time, microseconds; one histogram per second',
  );
  w.outputLogFormatVersion();
  w.outputStartTime(s.measureStartMs);
  w.outputLegend();
  for (const iv of s.intervals) {
    const h = decode(iv.latency);
    if (h.totalCount === 0) continue;
    w.outputIntervalHistogram(h, iv.t, iv.t + 1, 1000);
  }
  return text;
}
