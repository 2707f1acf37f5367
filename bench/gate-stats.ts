#!/usr/bin/env node
/**
 * `npm run bench:gate [-- N] [compare] [stored] [WORD...]`: the gate's statistical behaviour,
 * counted (WORD: only the compare conditions whose name contains it, e.g. `cpu`, `A/A`).
 *
 * compare (default): N `perf-gate compare` runs per condition, each with a 3-minute budget,
 * policies/compare.json (p50 and p90 at +5%):
 *   - a CPU-bound service (one process, each request burns 1 ms of CPU, sharing the machine
 *     with the generator): A/A (two identical instances) and +10% CPU per request;
 *   - the built-in router (perf/compare-router.json): A/A and +10% service time.
 * Prints verdict counts and the median decision time; writes reports/gate-compare.json.
 *
 * stored: the stored-baseline gate (3 runs per side, policies/router-http.json): N gate runs
 * of unchanged code and N with the router's service time +30%; writes reports/gate-stats.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runBench } from '../src/run/bench.js';
import { runCompare, type CompareSideSpec } from '../src/run/compare.js';
import { runGate } from '../src/run/gate.js';
import { loadPolicy } from '../src/gate/policy.js';
import { readScenarioFile, resolveScenario } from '../src/scenario/resolve.js';
import { writeFileAtomic } from '../src/util/atomic-write.js';
import { freePort } from '../src/util/free-port.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 20);
const sections = args.filter((a) => a === 'compare' || a === 'stored');
/** Any other word picks the compare conditions whose name contains it (e.g. `A/A`, `router`). */
const only = args.filter((a) => !/^\d+$/.test(a) && a !== 'compare' && a !== 'stored');
const io = { stdout: process.stdout, stderr: process.stderr, quiet: true };
const log = (s: string): void => void process.stdout.write(`${s}\n`);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN;
};

/** The CPU-bound service, one process per instance, its CPU cost per request in ms. */
async function cpuService(burnMs: number): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(ROOT, 'build/bench/cpu-service.js'), String(port), String(burnMs), '1'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', resolve),
  );
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

interface Condition {
  name: string;
  scenario: string;
  baseline: CompareSideSpec;
  candidate: CompareSideSpec;
}

async function compareSection(): Promise<Record<string, unknown>> {
  const policy = join(ROOT, 'policies/compare.json');
  const cpuScenario = join(mkdtempSync(join(tmpdir(), 'gate-compare-')), 'cpu.json');
  writeFileSync(
    cpuScenario,
    JSON.stringify({
      name: 'cpu-service-compare',
      target: 'http://127.0.0.1:1/',
      rate: 400,
      duration: '1s',
      warmup: '250ms',
      timeout: '5s',
    }),
  );
  const a = await cpuService(1);
  const a2 = await cpuService(1);
  const slower = await cpuService(1.1);
  const conditions: Condition[] = [
    {
      name: 'cpu service A/A',
      scenario: cpuScenario,
      baseline: { target: a.url },
      candidate: { target: a2.url },
    },
    {
      name: 'cpu service +10% CPU per request',
      scenario: cpuScenario,
      baseline: { target: a.url },
      candidate: { target: slower.url },
    },
    {
      name: 'built-in router A/A',
      scenario: join(ROOT, 'perf/compare-router.json'),
      baseline: { target: 'builtin' },
      candidate: { target: 'builtin' },
    },
    {
      name: 'built-in router +10% service time',
      scenario: join(ROOT, 'perf/compare-router.json'),
      baseline: { target: 'builtin' },
      candidate: { target: 'builtin', knobs: { service_time: '2.2ms' } },
    },
  ];
  const summary: Record<string, unknown> = { runs_per_condition: N, budget_s: 180 };
  try {
    for (const c of conditions) {
      if (only.length && !only.some((w) => c.name.includes(w))) continue;
      const counts: Record<string, number> = {
        pass: 0,
        regression: 0,
        inconclusive: 0,
        not_comparable: 0,
      };
      const seconds: number[] = [];
      const pairs: number[] = [];
      for (let i = 0; i < N; i++) {
        const { outcome, record } = await runCompare(
          {
            policy: await loadPolicy(policy),
            policyPath: policy,
            scenarioFile: await readScenarioFile(c.scenario),
            baseline: c.baseline,
            candidate: c.candidate,
            budgetMs: 180_000,
            confidence: 0.95,
            seed: i + 1,
            outputs: {},
          },
          io,
        );
        counts[outcome.verdict] = (counts[outcome.verdict] ?? 0) + 1;
        seconds.push(record.elapsed_s);
        pairs.push(record.pairs.length);
        const p50 = outcome.rules.find((r) => r.metric === 'latency_p50_ms')?.interval;
        log(
          `  ${c.name} #${i + 1}: ${outcome.verdict} after ${record.pairs.length} pairs, ${record.elapsed_s}s (p50 ${p50 ? `${p50.lowPct.toFixed(1)}%..${p50.highPct.toFixed(1)}%` : '-'})`,
        );
      }
      summary[c.name] = {
        ...counts,
        median_decision_s: median(seconds),
        max_s: Math.max(...seconds),
        median_pairs: median(pairs),
      };
      log(
        `${c.name}: ${JSON.stringify(counts)}, median decision ${median(seconds)}s (max ${Math.max(...seconds)}s), median ${median(pairs)} pairs`,
      );
    }
  } finally {
    for (const s of [a, a2, slower]) s.child.kill();
  }
  return summary;
}

async function storedSection(): Promise<Record<string, unknown>> {
  const file = await readScenarioFile(join(ROOT, 'perf/router-http-gate.json'));
  const policy = join(ROOT, 'policies/router-http.json');
  const dir = mkdtempSync(join(tmpdir(), `perfkit-gate-stats-`));
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
  return summary;
}

async function main(): Promise<void> {
  mkdirSync(join(ROOT, 'reports'), { recursive: true });
  if (!sections.length || sections.includes('compare')) {
    const s = await compareSection();
    // A run of some conditions updates theirs and keeps the others' last counts.
    const file = join(ROOT, 'reports/gate-compare.json');
    const before = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as object) : {};
    writeFileSync(file, `${JSON.stringify({ ...before, ...s }, null, 2)}\n`);
    log('written to reports/gate-compare.json');
  }
  if (sections.includes('stored')) {
    const s = await storedSection();
    writeFileSync(join(ROOT, 'reports/gate-stats.json'), `${JSON.stringify(s, null, 2)}\n`);
    log('written to reports/gate-stats.json');
  }
}

void main();
