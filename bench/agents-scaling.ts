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
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT, TARGET_CORE, hasTaskset, log, maxSustained, median, startTarget } from './ramp.js';

const REPS = Number(process.env.BENCH_REPS ?? 3);

async function main(): Promise<void> {
  const t0 = Date.now();
  const target = await startTarget();
  const configs: { name: string; args: string[]; pin: boolean }[] = [
    { name: 'local thread (no agents)', args: [], pin: false },
    { name: '1 agent', args: ['--local-agents', '1'], pin: false },
    { name: '2 agents', args: ['--local-agents', '2'], pin: false },
    { name: '2 agents on one core', args: ['--local-agents', '2'], pin: true },
  ];
  const results: Record<string, number[]> = {};
  try {
    log(
      `target: ${target.kind} at ${target.url} on core ${TARGET_CORE}${hasTaskset ? '' : ' (taskset missing: nothing pinned)'}; ${cpus().length} cores`,
    );
    for (let rep = 1; rep <= REPS; rep++) {
      for (const c of configs) {
        log(`${c.name}, round ${rep} of ${REPS}`);
        const { best } = await maxSustained(
          ['--target', target.url, '--connections', '32', ...c.args],
          10_000,
          c.pin,
        );
        (results[c.name] ??= []).push(best?.achieved ?? 0);
      }
    }
  } finally {
    target.proc.kill('SIGTERM');
  }
  const med = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
  const summary = {
    target: target.kind,
    cores: cpus().length,
    max_sustained_req_s: results,
    median_req_s: med,
    ratio_2_agents_over_1: Math.round((med['2 agents']! / med['1 agent']!) * 1000) / 1000,
    ratio_2_agents_one_core_over_1:
      Math.round((med['2 agents on one core']! / med['1 agent']!) * 1000) / 1000,
    ratio_1_agent_over_local:
      Math.round((med['1 agent']! / med['local thread (no agents)']!) * 1000) / 1000,
    seconds: Math.round((Date.now() - t0) / 1000),
  };
  log('');
  for (const [k, v] of Object.entries(results))
    log(`${k}: max sustained ${v.join(' / ')} req/s, median ${med[k]}`);
  log(`ratio 2 agents / 1 agent: ${summary.ratio_2_agents_over_1}`);
  log(`ratio 2 agents on one core / 1 agent: ${summary.ratio_2_agents_one_core_over_1}`);
  log(`ratio 1 agent / local thread: ${summary.ratio_1_agent_over_local}`);
  mkdirSync(join(ROOT, 'reports'), { recursive: true });
  writeFileSync(join(ROOT, 'reports/bench-agents.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(`written to reports/bench-agents.json (${summary.seconds}s)`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:agents failed: ${String(e)}\n`);
  process.exitCode = 1;
});
