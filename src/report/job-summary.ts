import { appendFile } from 'node:fs/promises';
import { limitLine, type BenchResult } from '../result/result.js';

/**
 * GitHub Actions shows Markdown appended to the file named by $GITHUB_STEP_SUMMARY on the
 * job's page. Written only when that variable is set; a failure to write it is reported on
 * stderr by the caller's error handling, like any output.
 */
export async function appendJobSummary(markdown: string): Promise<boolean> {
  const path = process.env.GITHUB_STEP_SUMMARY;
  if (!path) return false;
  await appendFile(path, markdown.endsWith('\n') ? `${markdown}\n` : `${markdown}\n\n`);
  return true;
}

/** A run in a few lines: rate offered and achieved, latency, errors, whether to trust it. */
export function runSummaryMarkdown(r: BenchResult): string {
  const m = r.metrics;
  const verdict = r.run.interrupted
    ? 'interrupted: partial result'
    : r.generator.saturated
      ? `NOT VALID: the load generator saturated (${r.generator.reasons[0] ?? ''})`
      : r.run.partial
        ? 'NOT VALID: generator agents were lost'
        : 'valid';
  const limit = limitLine(r.generator);
  return [
    `## bench-router: ${r.scenario.name as string}`,
    '',
    `Target \`${r.target.url}\` (${r.target.kind}), ${r.run.duration_s} s measured after ${r.run.warmup_s} s of warm-up. Run: ${verdict}.${limit ? ` Limit: ${limit}.` : ''}`,
    '',
    '| offered req/s | achieved req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | timeouts |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${m.target_rps ?? '-'} | ${m.rps} | ${m.latency_p50_ms} | ${m.latency_p90_ms} | ${m.latency_p99_ms} | ${m.latency_p999_ms} | ${m.latency_max_ms} | ${m.errors_total} | ${m.timeouts_total} |`,
    '',
    "Latency is measured from each request's intended send time (coordinated-omission correct).",
    '',
  ].join('\n');
}
