#!/usr/bin/env node
/**
 * `npm run bench:agents`: how the sustainable open-loop rate grows from one generator agent
 * to two on this machine. Each configuration is ramped to its highest sustained rate
 * (achieved within 1% of offered, no errors, generators not saturated) against the same
 * fast target, side by side with one plain local thread as the peer, several times over.
 * Nothing is pinned: the agents, the target, nats-server and the coordinator share every core,
 * as they would on one machine; that sharing is what the result is about.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT, log, maxSustained, median, startTarget } from './ramp.js';

const REPS = Number(process.env.BENCH_REPS ?? 3);

async function main(): Promise<void> {
  const t0 = Date.now();
  const target = await startTarget();
  const configs: { name: string; args: string[] }[] = [
    { name: 'local thread (no agents)', args: [] },
    { name: '1 agent', args: ['--local-agents', '1'] },
    { name: '2 agents', args: ['--local-agents', '2'] },
  ];
  const results: Record<string, number[]> = {};
  try {
    log(`target: ${target.kind} at ${target.url}; ${cpus().length} cores, nothing pinned`);
    for (let rep = 1; rep <= REPS; rep++) {
      for (const c of configs) {
        log(`${c.name}, round ${rep} of ${REPS}`);
        const { best } = await maxSustained(
          ['--target', target.url, '--connections', '32', ...c.args],
          10_000,
          false,
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
    ratio_1_agent_over_local:
      Math.round((med['1 agent']! / med['local thread (no agents)']!) * 1000) / 1000,
    seconds: Math.round((Date.now() - t0) / 1000),
  };
  log('');
  for (const [k, v] of Object.entries(results))
    log(`${k}: max sustained ${v.join(' / ')} req/s, median ${med[k]}`);
  log(`ratio 2 agents / 1 agent: ${summary.ratio_2_agents_over_1}`);
  log(`ratio 1 agent / local thread: ${summary.ratio_1_agent_over_local}`);
  mkdirSync(join(ROOT, 'reports'), { recursive: true });
  writeFileSync(join(ROOT, 'reports/bench-agents.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(`written to reports/bench-agents.json (${summary.seconds}s)`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:agents failed: ${String(e)}\n`);
  process.exitCode = 1;
});
