import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createUser } from '@nats-io/nkeys';
import { Svcm } from '@nats-io/services';
import { connect } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type RunningNatsServer } from '../../src/nats-server/server.js';
import { decode, newHistogram, summarize } from '../../src/record/histogram.js';
import { timerKind } from '../../src/timing/timers.js';
import {
  BENCH,
  ROOT,
  expectCountersAddUp,
  expectOneLineError,
  readResult,
  runCli,
  schemaErrors,
  tmp,
} from '../helpers/cli.js';

/**
 * Generator agents as users run them: a real nats-server that requires authentication, real
 * `bench-router agent` processes, and the coordinator CLI against the built-in router.
 */
const PASSWORD = 'agent-bus-pw-7f3k';
const PW_ENV = { ...process.env, AGENT_BUS_PW: PASSWORD };
let bus: RunningNatsServer;
const agents: ChildProcess[] = [];
const agentLogs = new Map<ChildProcess, string>();

/** Starts an agent and waits until it serves (its "serving as" line), bounded. */
function startAgent(name: string, extra: string[] = []): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      BENCH,
      'agent',
      '--nats',
      bus.url,
      '--name',
      name,
      '--user',
      'bench',
      '--password-env',
      'AGENT_BUS_PW',
      ...extra,
    ],
    { env: PW_ENV, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  agents.push(child);
  return new Promise((resolve, reject) => {
    let err = '';
    const t = setTimeout(() => reject(new Error(`agent ${name} did not start: ${err}`)), 15_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      agentLogs.set(child, err);
      if (err.includes('serving as')) {
        clearTimeout(t);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`agent ${name} exited ${code}: ${err}`)));
  });
}

const coordinatorAuth = [
  '--nats',
  '',
  '--agents-user',
  'bench',
  '--agents-password-env',
  'AGENT_BUS_PW',
];
const withBus = (args: string[]): string[] =>
  args.concat(coordinatorAuth.map((a) => (a === '' ? bus.url : a)));

beforeAll(async () => {
  bus = await startNatsServer({
    extraConfig: `authorization { user: bench, password: "${PASSWORD}" }`,
  });
});
afterEach(() => {
  for (const a of agents.splice(0)) a.kill('SIGKILL');
});
afterAll(async () => {
  await bus?.stop();
});

describe('generator agents', () => {
  it('three agents at 3,000 req/s merge into one exact result', async () => {
    const fleet = await Promise.all(['a1', 'a2', 'a3'].map((n) => startAgent(n)));
    const out = join(tmp(), 'fleet.json');
    const r = await runCli(
      withBus([
        '--agents',
        '3',
        '--target',
        'builtin',
        '--rate',
        '3000',
        '--duration',
        '5s',
        '--warmup',
        '1s',
        // Six processes share two cores here: scheduling delay of a busy machine, not the
        // generators, would trip the default 10 ms saturation bound.
        '--max-send-lag',
        '100ms',
        '--out',
        out,
      ]),
      { env: PW_ENV, timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const res = readResult(out);
    expect(schemaErrors(res)).toBe('');
    expectCountersAddUp(res);
    const rows = res.agents!;
    expect(rows.map((a) => [a.name, a.state])).toEqual([
      ['a1', 'done'],
      ['a2', 'done'],
      ['a3', 'done'],
    ]);
    // Disjoint shares: the merged count is the sum over agents, and each ran a third.
    expect(rows.map((a) => a.shares)).toEqual([[0], [1], [2]]);
    expect(res.counters.sent).toBe(rows.reduce((n, a) => n + a.requests, 0));
    expect(res.counters.ok).toBe(rows.reduce((n, a) => n + a.ok, 0));
    expect(res.counters.sent).toBe(15_000);
    for (const a of rows) expect(a.requests).toBe(5000);
    // The merged p99 is the p99 of the union of the agents' own histograms.
    const union = newHistogram();
    for (const a of rows) union.add(decode(a.histograms!.latency));
    expect(union.totalCount).toBe(decode(res.histograms.latency).totalCount);
    expect(summarize(union).p99_ms).toBe(res.metrics.latency_p99_ms);
    expect(summarize(union).max_ms).toBe(res.metrics.latency_max_ms);
    expect(Math.abs(res.metrics.rps - 3000) / 3000).toBeLessThan(0.01);
    // Every agent measured its clock against the coordinator's (same machine: ~0).
    for (const a of rows) {
      expect(typeof a.clock_offset_ms).toBe('number');
      expect(Math.abs(a.clock_offset_ms!)).toBeLessThan(20);
      expect(a.clock_rtt_ms!).toBeGreaterThan(0);
    }
    expect(res.generator.threads).toBe(3);
    // Each agent says which timer kept its time (a container without the compiled timer
    // shows), and how long it waited for a core (six processes on two cores here).
    for (const a of rows) expect(a.generator?.timer).toBe(timerKind());
    if (process.platform === 'linux') {
      const waits = rows.map((a) => a.generator?.cpu_wait_pct ?? -1);
      for (const w of waits) expect(w).toBeGreaterThanOrEqual(0);
      expect(res.generator.cpu_wait_pct).toBe(Math.max(...waits));
    }
    // Each agent logs what it was asked to load, for audit: target, its rate, the length.
    for (const a of fleet)
      expect(agentLogs.get(a)).toMatch(/plan \w+: 127\.0\.0\.1:\d+ at 1000 req\/s for 6 s/);
    // The fleet is a NATS service like any other: ping (health) and stats (per endpoint).
    const nc = await connect({ servers: bus.url, user: 'bench', pass: PASSWORD });
    try {
      const client = new Svcm(nc as never).client();
      const pings: string[] = [];
      for await (const p of await client.ping('bench-router-agent')) pings.push(p.name);
      expect(pings).toEqual(['bench-router-agent', 'bench-router-agent', 'bench-router-agent']);
      const stats = [];
      for await (const st of await client.stats('bench-router-agent')) stats.push(st);
      for (const st of stats) {
        expect(st.endpoints!.find((e) => e.name === 'plan')!.num_requests).toBe(1);
        expect(st.endpoints!.find((e) => e.name === 'plan')!.data).toMatchObject({
          runs: 1,
          refused: 0,
        });
      }
    } finally {
      await nc.close();
    }
    expect(readFileSync(out, 'utf8')).not.toContain(PASSWORD);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it('an agent killed mid-run leaves a partial result, exit 3, within the bound', async () => {
    await startAgent('keeper');
    const victim = await startAgent('victim');
    const dir = tmp();
    const out = join(dir, 'partial.json');
    const baseline = join(dir, 'baseline.json');
    const t0 = Date.now();
    const r = await runCli(
      withBus([
        '--agents',
        '2',
        '--target',
        'builtin',
        '--rate',
        '400',
        '--duration',
        '6s',
        '--warmup',
        '1s',
        '--timeout',
        '2s',
        '--max-send-lag',
        '100ms',
        '--out',
        out,
        '--save-baseline',
        baseline,
        '--html',
        join(dir, 'partial.html'),
      ]),
      {
        env: PW_ENV,
        timeoutMs: 60_000,
        // Killed once the coordinator reports the measurement under way, however slow the
        // machine was to get there.
        onSpawn: (c) =>
          c.stderr!.on('data', (d: Buffer) => {
            if (d.toString().includes('[measure]')) victim.kill('SIGKILL');
          }),
      },
    );
    const wallS = (Date.now() - t0) / 1000;
    expect(r.code, r.stderr).toBe(3);
    // Run length (7 s) + loss detection (3 s) + start-up; never the whole deadline chain.
    expect(wallS).toBeLessThan(20);
    const res = readResult(out);
    expect(schemaErrors(res)).toBe('');
    expect(res.run.partial).toBe(true);
    expect(res.run.exit_code).toBe(3);
    const lost = res.agents!.find((a) => a.name === 'victim')!;
    expect(lost.state).toBe('lost');
    expect(lost.reason).toMatch(/silent/);
    // Killed during the measurement; lost 3 s after it was last heard from.
    expect(lost.last_heard_s!).toBeGreaterThan(0);
    expect(lost.last_heard_s!).toBeLessThan(6);
    expect(lost.lost_at_s! - lost.last_heard_s!).toBeGreaterThanOrEqual(3);
    expect(lost.requests).toBe(0);
    // What it did before dying is known only from its heartbeats, and said so.
    expect(lost.last_live!.ok).toBeGreaterThan(0);
    const kept = res.agents!.find((a) => a.name === 'keeper')!;
    expect(kept.state).toBe('done');
    expect(res.counters.sent).toBe(kept.requests);
    expect(kept.requests).toBe(1200); // its half of 400 req/s for 6 s
    expect(r.stderr).toMatch(/agent victim lost .* silent/);
    expect(r.stderr).toMatch(/baseline NOT saved/);
    expect(existsSync(baseline)).toBe(false);
    // The report says it too: which agent, lost when and why.
    const html = readFileSync(join(dir, 'partial.html'), 'utf8');
    expect(html).toContain('Agents (PARTIAL: agents were lost)');
    expect(html).toMatch(/<td>victim<\/td>.*LOST.*lost at [\d.]+ s: silent/);
  });

  it('Ctrl-C on the coordinator stops the agents and writes their partial result', async () => {
    await startAgent('solo');
    const out = join(tmp(), 'int.json');
    let signalled = false;
    const r = await runCli(
      withBus([
        '--agents',
        '1',
        '--target',
        'builtin',
        '--rate',
        '300',
        '--duration',
        '20s',
        '--warmup',
        '500ms',
        '--max-send-lag',
        '100ms',
        '--out',
        out,
      ]),
      {
        env: PW_ENV,
        timeoutMs: 60_000,
        onSpawn: (c) =>
          c.stderr!.on('data', (d: Buffer) => {
            if (!signalled && d.toString().includes('[measure]')) {
              signalled = true;
              c.kill('SIGINT');
            }
          }),
      },
    );
    expect(r.code, r.stderr).toBe(130);
    const res = readResult(out);
    expect(res.run.interrupted).toBe(true);
    expect(res.run.duration_s).toBeLessThan(10);
    expect(res.agents![0]!.state).toBe('done');
    expect(res.counters.sent).toBeGreaterThan(0);
    expect(res.counters.sent).toBe(res.agents![0]!.requests);
    expectCountersAddUp(res);
  });

  it('an agent refuses a plan for a target outside its allowlist, and stays up', async () => {
    const strict = await startAgent('strict', [
      '--allow-target',
      '10.0.0.0/8',
      '--allow-target',
      '*.internal:443',
      '--max-duration',
      '1m',
    ]);
    const r = await runCli(
      withBus([
        '--agents',
        'all',
        '--target',
        'builtin',
        '--rate',
        '100',
        '--duration',
        '1s',
        '--warmup',
        '500ms',
        '--quiet',
        '--out',
        join(tmp(), 'x.json'),
      ]),
      { env: PW_ENV, timeoutMs: 60_000 },
    );
    expectOneLineError(
      r,
      'bench-router',
      /agent strict refused the plan: target 127\.0\.0\.1:\d+ is not in agent strict's allowlist \(10\.0\.0\.0\/8, \*\.internal:443\)/,
    );
    expect(strict.exitCode).toBe(null);
    // Garbage from any client on the bus gets a service error, and the agent serves on.
    const nc = await connect({ servers: bus.url, user: 'bench', pass: PASSWORD });
    try {
      const infos = [];
      for await (const i of await new Svcm(nc as never).client().info('bench-router-agent'))
        infos.push(i);
      const id = infos[0]!.id;
      for (const [verb, body] of [
        ['plan', '{"v":1,"shards":[{}]}'],
        ['start', 'not json'],
        ['result', '{}'],
      ] as const) {
        const m = await nc.request(`bench-router.agent.${id}.${verb}`, body, { timeout: 2000 });
        expect(m.headers?.get('Nats-Service-Error-Code'), verb).toMatch(/^40[04]$/);
      }
    } finally {
      await nc.close();
    }
    expect(strict.exitCode).toBe(null);
    // Its own ceiling holds whatever the coordinator asks, checked before the allowlist.
    const long = await runCli(
      withBus([
        '--agents',
        '1',
        '--target',
        'builtin',
        '--rate',
        '10',
        '--duration',
        '2m',
        '--quiet',
        '--out',
        join(tmp(), 'z.json'),
      ]),
      { env: PW_ENV, timeoutMs: 60_000 },
    );
    expectOneLineError(
      long,
      'bench-router',
      /runs 125 s, more than this agent's --max-duration of 60 s/,
    );
    // Asking for more agents than there are is a clear error after the wait, not a hang.
    const more = await runCli(
      withBus([
        '--agents',
        '2',
        '--agents-wait',
        '1s',
        '--target',
        'builtin',
        '--rate',
        '10',
        '--duration',
        '1s',
        '--quiet',
        '--out',
        join(tmp(), 'y.json'),
      ]),
      { env: PW_ENV, timeoutMs: 60_000 },
    );
    expectOneLineError(more, 'bench-router', /found 1 agent\(s\) .* 2 needed \(strict\)/);
  });

  it('an agent will not serve on a NATS server that lets anyone in', async () => {
    const open = await startNatsServer();
    try {
      const r = await runCli(['agent', '--nats', open.url, '--name', 'x'], { timeoutMs: 30_000 });
      expectOneLineError(r, 'bench-router', /requires authentication/);
    } finally {
      await open.stop();
    }
  });

  it('signs in to the bus with an nkey', async () => {
    const user = createUser();
    const seedFile = join(tmp(), 'agent.nk');
    writeFileSync(seedFile, new TextDecoder().decode(user.getSeed()));
    const nk = await startNatsServer({
      extraConfig: `authorization { users: [ { nkey: ${user.getPublicKey()} } ] }`,
    });
    const child = spawn(
      process.execPath,
      [BENCH, 'agent', '--nats', nk.url, '--name', 'nk', '--nkey-file', seedFile],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    agents.push(child);
    try {
      const out = join(tmp(), 'nk.json');
      const r = await runCli(
        [
          '--agents',
          '1',
          '--nats',
          nk.url,
          '--agents-nkey-file',
          seedFile,
          '--target',
          'builtin',
          '--rate',
          '200',
          '--duration',
          '1s',
          '--warmup',
          '500ms',
          '--quiet',
          '--max-send-lag',
          '100ms',
          '--out',
          out,
        ],
        { timeoutMs: 60_000 },
      );
      expect(r.code, r.stderr).toBe(0);
      const res = readResult(out);
      expect(res.agents!.map((a) => a.name)).toEqual(['nk']);
      expect(res.counters.sent).toBe(200);
      expect(readFileSync(out, 'utf8')).not.toContain(new TextDecoder().decode(user.getSeed()));
    } finally {
      child.kill('SIGKILL');
      await nk.stop();
    }
  });

  it('--local-agents starts its own authenticated fleet and cleans it up', async () => {
    const out = join(tmp(), 'local.json');
    const r = await runCli(
      [
        '--local-agents',
        '2',
        '--target',
        'builtin',
        '--rate',
        '400',
        '--duration',
        '2s',
        '--warmup',
        '1s',
        '--max-send-lag',
        '100ms',
        '--out',
        out,
      ],
      { timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const res = readResult(out);
    expect(res.agents!.map((a) => [a.name, a.state])).toEqual([
      ['local-1', 'done'],
      ['local-2', 'done'],
    ]);
    expect(res.counters.sent).toBe(800);
    expect(r.stderr).toMatch(/agents: local-1 .*local-2/);
  });

  it('a sweep that loses its agents keeps the steps it measured (exit 3)', async () => {
    await startAgent('steady');
    const flaky = await startAgent('flaky');
    const out = join(tmp(), 'sweep.json');
    const r = await runCli(
      withBus([
        '--agents',
        '2',
        '--agents-wait',
        '1s',
        '--target',
        'builtin',
        '--builtin-workers',
        '4',
        '--builtin-service-time',
        '5ms',
        '--slo-p99',
        '200ms',
        '--start',
        '200',
        '--step-duration',
        '2s',
        '--step-warmup',
        '500ms',
        '--max-send-lag',
        '100ms',
        '--out',
        out,
      ]),
      {
        bin: join(ROOT, 'dist/cli/capacity-sweep.js'),
        env: PW_ENV,
        timeoutMs: 90_000,
        onSpawn: (c) =>
          c.stderr!.on('data', (d: Buffer) => {
            if (d.toString().includes('step 1:')) flaky.kill('SIGKILL');
          }),
      },
    );
    expect(r.code, r.stderr).toBe(3);
    const rep = JSON.parse(readFileSync(out, 'utf8')) as {
      steps_count: number;
      at_least: boolean;
      stop_reason: string;
      max_sustainable_rps: number | null;
    };
    expect(rep.steps_count).toBeGreaterThanOrEqual(1);
    expect(rep.at_least).toBe(true);
    expect(rep.stop_reason).toMatch(/generator agents unavailable .*found 1 agent\(s\)/);
    expect(rep.max_sustainable_rps).toBeGreaterThan(190);
  });

  it('Ctrl-C while looking for agents ends the wait at once', async () => {
    let sentAt = 0;
    const r = await runCli(
      withBus([
        '--agents',
        '2',
        '--agents-wait',
        '30s',
        '--target',
        'builtin',
        '--rate',
        '10',
        '--out',
        join(tmp(), 'n.json'),
      ]),
      {
        env: PW_ENV,
        timeoutMs: 60_000,
        onSpawn: (c) =>
          setTimeout(() => {
            sentAt = Date.now();
            c.kill('SIGINT');
          }, 3000),
      },
    );
    expect(r.code).toBe(130);
    expect(Date.now() - sentAt).toBeLessThan(5000);
    expect(r.stderr).toMatch(/interrupted while looking for agents: nothing was measured/);
  });

  it('bad fleet options are one-line usage errors', async () => {
    const noBus = await runCli(['--agents', '2', '--target', 'builtin', '--rate', '10']);
    expectOneLineError(noBus, 'bench-router', /--agents needs --nats URL/);
    const badCount = await runCli([
      '--agents',
      'many',
      '--nats',
      bus.url,
      '--target',
      'builtin',
      '--rate',
      '10',
    ]);
    expectOneLineError(badCount, 'bench-router', /--agents "many": expected a number/);
  });
});
