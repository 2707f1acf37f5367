#!/usr/bin/env node
/**
 * `npm run bench:gate`: the gate's statistical behaviour, measured on the built-in router.
 * A fresh baseline (3 runs), then N gate runs of unchanged code and N with the router's
 * service time raised 30%, each candidate also 3 runs, judged by policies/router-http.json.
 * Counts verdicts: unchanged code should almost never be called a regression, the slower
 * router almost always.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runBench } from '../run/bench.js';
import { runGate } from '../run/gate.js';
import { readScenarioFile, resolveScenario } from '../scenario/resolve.js';
import { writeFileAtomic } from '../util/atomic-write.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const N = Number(process.argv[2] ?? 20);
const io = { stdout: process.stdout, stderr: process.stderr, quiet: true };
const log = (s: string): void => void process.stdout.write(`${s}\n`);

async function main(): Promise<void> {
  const file = await readScenarioFile(join(ROOT, 'perf/router-http-gate.json'));
  const policy = join(ROOT, 'policies/router-http.json');
  const dir = join(tmpdir(), `perfkit-gate-stats-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const baselinePath = join(dir, 'baseline.json');
  const base = await runBench(await resolveScenario(file, { out: baselinePath }), io);
  await writeFileAtomic(baselinePath, JSON.stringify(base.result));
  const serviceMs = Number(String(file.builtin?.service_time ?? '2ms').replace('ms', ''));
  log(
    `baseline: p50 ${base.result.metrics.latency_p50_ms} ms, p99 ${base.result.metrics.latency_p99_ms} ms, rps ${base.result.metrics.rps}`,
  );
  const conditions = [
    { name: 'unchanged', service: `${serviceMs}ms` },
    { name: 'service time +30%', service: `${Math.round(serviceMs * 1.3 * 1000) / 1000}ms` },
  ];
  const summary: Record<string, unknown> = { runs_per_condition: N, repeat: file.repeat };
  for (const c of conditions) {
    const counts: Record<string, number> = {
      pass: 0,
      regression: 0,
      inconclusive: 0,
      not_comparable: 0,
    };
    const t0 = Date.now();
    for (let i = 0; i < N; i++) {
      const scenario = await resolveScenario(file, {
        out: join(dir, 'candidate.json'),
        builtin: { service_time: c.service },
      });
      const { outcome } = await runGate({ baseline: baselinePath, policy, scenario }, io);
      counts[outcome.verdict] = (counts[outcome.verdict] ?? 0) + 1;
      const p50 = outcome.rules.find((r) => r.metric === 'latency_p50_ms');
      log(
        `  ${c.name} #${i + 1}: ${outcome.verdict}  (p50 change ${p50?.interval ? `${p50.interval.lowPct.toFixed(1)}%..${p50.interval.highPct.toFixed(1)}%` : '-'})`,
      );
    }
    const seconds = Math.round((Date.now() - t0) / 1000);
    summary[c.name] = { ...counts, seconds };
    log(`${c.name}: ${JSON.stringify(counts)} in ${seconds}s`);
  }
  mkdirSync(join(ROOT, 'reports'), { recursive: true });
  writeFileSync(join(ROOT, 'reports/gate-stats.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log('written to reports/gate-stats.json');
}

void main();
