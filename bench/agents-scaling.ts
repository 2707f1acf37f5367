#!/usr/bin/env node
/**
 * `npm run bench:agents`: how the sustainable open-loop rate grows from one generator agent
 * to two on this machine. Each configuration is ramped to its highest sustained rate
 * (achieved within 1% of offered, no errors, generators not saturated) against the same
 * fast target, side by side with one plain local thread as the peer, several times over.
 * The target is pinned to the last core (as in `npm run bench`); the generators are not, so
 * they compete with it as on any shared machine. A last configuration confines two agents
 * to the first core, leaving the target its own: the difference is what the generators' CPU
 * does to the target.
 *
 * Then the question asked of two agents is put to them directly: do they sustain 0.9x the
 * rate one agent sustained (its median)? One agent, two agents and two confined to one core
 * run at that rate in turn, several tries each. Comparing two maxima compares two ramps
 * that each cross a dozen steps on a shared host, where one disturbed minute caps a figure;
 * a fixed rate tried side by side with the peer config is the steadier test, and the one
 * agent's tries at the same rate show whether a failure was the host's.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import {
  ROOT,
  TARGET_CORE,
  hasTaskset,
  log,
  maxSustained,
  median,
  ours,
  startTarget,
  type Step,
} from './ramp.js';

const CHECK_TRIES = Number(process.env.BENCH_CHECK_TRIES ?? 5);
const CHECK_SHARE = 0.9;
/** `BENCH_CHECK_RATE=N`: only the direct check, at N req/s (minutes, not half an hour). */
const FIXED_CHECK_RATE = process.env.BENCH_CHECK_RATE
  ? Number(process.env.BENCH_CHECK_RATE)
  : undefined;
const REPS = FIXED_CHECK_RATE ? 0 : Number(process.env.BENCH_REPS ?? 3);

async function main(): Promise<void> {
  const t0 = Date.now();
  const target = await startTarget();
  const configs: { name: string; args: string[]; pin: boolean }[] = [
    { name: 'local thread (no agents)', args: [], pin: false },
    { name: '1 agent', args: ['--local-agents', '1'], pin: false },
    { name: '2 agents', args: ['--local-agents', '2'], pin: false },
    { name: '2 agents on one core', args: ['--local-agents', '2'], pin: true },
  ];
  const argsOf = (c: (typeof configs)[number]): string[] => [
    '--target',
    target.url,
    '--connections',
    '32',
    ...c.args,
  ];
  const results: Record<string, number[]> = {};
  // Every agent configuration is put to the direct test, the confined one too.
  const checked = configs.filter((c) => c.args.length);
  const checkTries: Record<string, Step[]> = {};
  let checkRate = 0;
  try {
    log(
      `target: ${target.kind} at ${target.url} on core ${TARGET_CORE}${hasTaskset ? '' : ' (taskset missing: nothing pinned)'}; ${cpus().length} cores`,
    );
    for (let rep = 1; rep <= REPS; rep++) {
      for (const c of configs) {
        log(`${c.name}, round ${rep} of ${REPS}`);
        const { best } = await maxSustained(argsOf(c), 10_000, c.pin);
        (results[c.name] ??= []).push(best?.achieved ?? 0);
      }
    }
    checkRate = FIXED_CHECK_RATE ?? Math.round(CHECK_SHARE * median(results['1 agent']!));
    for (let t = 1; t <= CHECK_TRIES; t++) {
      for (const c of checked) {
        const s = await ours(argsOf(c), checkRate, c.pin);
        (checkTries[c.name] ??= []).push(s);
        log(
          `  ${c.name} @ ${checkRate}, try ${t} of ${CHECK_TRIES}: achieved ${s.achieved}, p99 ${s.p99} ms${s.cpuWait !== undefined ? `, waited for a core ${s.cpuWait}%` : ''} -> ${s.sustained ? 'sustained' : 'NOT sustained'}`,
        );
      }
    }
  } finally {
    target.proc.kill('SIGTERM');
  }
  const med = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
  const ratio = (a: string, b: string): number | null =>
    med[a] && med[b] ? Math.round((med[a] / med[b]) * 1000) / 1000 : null;
  const summary = {
    target: target.kind,
    cores: cpus().length,
    max_sustained_req_s: results,
    median_req_s: med,
    ratio_2_agents_over_1: ratio('2 agents', '1 agent'),
    ratio_2_agents_one_core_over_1: ratio('2 agents on one core', '1 agent'),
    ratio_1_agent_over_local: ratio('1 agent', 'local thread (no agents)'),
    check: {
      rate: checkRate,
      share_of_1_agent: FIXED_CHECK_RATE ? null : CHECK_SHARE,
      tries: CHECK_TRIES,
      sustained: Object.fromEntries(
        Object.entries(checkTries).map(([k, v]) => [k, v.filter((s) => s.sustained).length]),
      ),
      achieved: Object.fromEntries(
        Object.entries(checkTries).map(([k, v]) => [k, v.map((s) => s.achieved)]),
      ),
    },
    seconds: Math.round((Date.now() - t0) / 1000),
  };
  log('');
  for (const [k, v] of Object.entries(results))
    log(`${k}: max sustained ${v.join(' / ')} req/s, median ${med[k]}`);
  if (REPS) {
    log(`ratio 2 agents / 1 agent: ${summary.ratio_2_agents_over_1}`);
    log(`ratio 2 agents on one core / 1 agent: ${summary.ratio_2_agents_one_core_over_1}`);
    log(`ratio 1 agent / local thread: ${summary.ratio_1_agent_over_local}`);
  }
  const asked = FIXED_CHECK_RATE ? 'as given' : `${CHECK_SHARE}x one agent's median`;
  const c = summary.check;
  const one = c.sustained['1 agent'] ?? 0;
  for (const name of ['2 agents', '2 agents on one core']) {
    const n = c.sustained[name] ?? 0;
    // The tries interleave, so a host that slowed meanwhile fails the peer's tries too.
    const verdict =
      n * 2 > c.tries
        ? 'holds'
        : one * 2 > c.tries
          ? 'does NOT hold'
          : 'inconclusive: one agent did not hold that rate either (the host was slower)';
    log(
      `${name} at ${c.rate} req/s (${asked}): sustained in ${n} of ${c.tries} tries (1 agent at that rate: ${one} of ${c.tries}) -> ${verdict}`,
    );
  }
  mkdirSync(join(ROOT, 'reports'), { recursive: true });
  writeFileSync(join(ROOT, 'reports/bench-agents.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(`written to reports/bench-agents.json (${summary.seconds}s)`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:agents failed: ${String(e)}\n`);
  process.exitCode = 1;
});
