import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ALLOW,
  firstRefused,
  isAllowed,
  parsePattern,
  targetAddresses,
} from '../../src/agents/allowlist.js';
import { estimateOffset, toCoordinatorClock } from '../../src/agents/clock-offset.js';
import { FleetTracker } from '../../src/agents/fleet-tracker.js';
import { fromChunks, toChunks } from '../../src/agents/protocol.js';
import { exceedsLimits } from '../../src/agents/plan-limits.js';
import { checkPlan, planSummary, type PlanCheckContext } from '../../src/agents/plan-check.js';
import type { ShardPlan } from '../../src/driver/shard.js';
import type { TransportConfig } from '../../src/transports/create.js';
import { Recorder, OK } from '../../src/record/recorder.js';

const allows = (patterns: string[], host: string, port: number): boolean =>
  isAllowed(patterns.map(parsePattern), { host, port });

const http = (url: string): TransportConfig =>
  ({ kind: 'http', url }) as unknown as TransportConfig;

describe('agent allowlist', () => {
  it('permits loopback only by default', () => {
    expect(allows(DEFAULT_ALLOW, '127.0.0.1', 8080)).toBe(true);
    expect(allows(DEFAULT_ALLOW, '::1', 443)).toBe(true);
    expect(allows(DEFAULT_ALLOW, 'localhost', 1)).toBe(true);
    expect(allows(DEFAULT_ALLOW, '10.0.0.1', 8080)).toBe(false);
    expect(allows(DEFAULT_ALLOW, 'example.com', 80)).toBe(false);
    // A name that merely starts like an allowed one is a different host.
    expect(allows(DEFAULT_ALLOW, 'localhost.evil.com', 80)).toBe(false);
  });

  it('matches wildcards within names, ports exactly, and no port as any port', () => {
    const p = ['*.svc.cluster.local:8080', 'api.internal'];
    expect(allows(p, 'router.perf.svc.cluster.local', 8080)).toBe(true);
    expect(allows(p, 'router.perf.svc.cluster.local', 8081)).toBe(false);
    expect(allows(p, 'svc.cluster.local.attacker.io', 8080)).toBe(false);
    expect(allows(p, 'API.internal', 9999)).toBe(true);
    expect(allows(p, 'api.internal.example', 9999)).toBe(false);
  });

  it('matches CIDR blocks against literal addresses only', () => {
    const p = ['10.0.0.0/8:*', '[fd00::/8]:4222'];
    expect(allows(p, '10.20.30.40', 80)).toBe(true);
    expect(allows(p, '11.0.0.1', 80)).toBe(false);
    expect(allows(p, 'fd12::1', 4222)).toBe(true);
    expect(allows(p, 'fd12::1', 4223)).toBe(false);
    expect(allows(p, 'ten.example', 80)).toBe(false);
  });

  it('reads every address a plan would connect to, with default ports', () => {
    expect(targetAddresses(http('https://api.example.com/x'))).toEqual([
      { host: 'api.example.com', port: 443 },
    ]);
    const nats = {
      kind: 'nats',
      servers: ['nats://127.0.0.1:4222', 'tls://10.1.1.1'],
    } as unknown as TransportConfig;
    expect(targetAddresses(nats)).toEqual([
      { host: '127.0.0.1', port: 4222 },
      { host: '10.1.1.1', port: 4222 },
    ]);
    // One server outside the list is enough to refuse the plan.
    expect(firstRefused(DEFAULT_ALLOW.map(parsePattern), nats)).toEqual({
      host: '10.1.1.1',
      port: 4222,
    });
    expect(firstRefused(DEFAULT_ALLOW.map(parsePattern), http('http://127.0.0.1:9/'))).toBe(
      undefined,
    );
  });

  it('rejects malformed patterns as usage errors', () => {
    for (const bad of ['host:99999', '10.0.0.0/33', 'a:b:c', ''])
      expect(() => parsePattern(bad), bad).toThrow(/--allow-target/);
  });
});

describe('agent plan limits', () => {
  const share = (index: number, count: number, rate = 3000) =>
    ({ rate, share: { index, count }, warmupMs: 5000, durationMs: 55_000 }) as unknown as ShardPlan;

  it("counts only this agent's shares of the rate, and warm-up in the length", () => {
    // Two of six shares of 3,000 req/s: 1,000 req/s for this agent.
    const mine = [share(0, 6), share(1, 6)];
    expect(exceedsLimits(mine, { maxRate: 1000, maxDurationMs: 60_000 })).toBe(undefined);
    expect(exceedsLimits(mine, { maxRate: 999 })).toMatch(
      /1000 req\/s, more than its --max-rate of 999/,
    );
    expect(exceedsLimits(mine, { maxDurationMs: 59_999 })).toMatch(/runs 60 s, more than/);
    expect(exceedsLimits(mine, {})).toBe(undefined);
  });
});

describe("an agent's plan check", () => {
  const plan = (shards: unknown[], v = 1): Uint8Array =>
    new TextEncoder().encode(JSON.stringify({ v, runId: 'r1', shards }));
  const shard = (url: string, rate = 2000) => ({
    rate,
    share: { index: 0, count: 2 },
    warmupMs: 1000,
    durationMs: 9000,
    transport: http(url),
  });
  const ctx: PlanCheckContext = {
    name: 'a1',
    allow: DEFAULT_ALLOW,
    patterns: DEFAULT_ALLOW.map(parsePattern),
    limits: { maxRate: 5000 },
    busyWith: undefined,
  };
  const codeOf = (r: ReturnType<typeof checkPlan>): string => ('code' in r ? r.code : 'ok');

  it('accepts a readable plan within limits for allowed targets, and says what it loads', () => {
    const r = checkPlan(plan([shard('http://127.0.0.1:8080/')]), ctx);
    if ('code' in r) throw new Error(r.message);
    expect(planSummary(r.plan)).toBe('127.0.0.1:8080 at 1000 req/s for 10 s');
  });

  it('refuses with a typed code for each reason, in order', () => {
    expect(codeOf(checkPlan(new TextEncoder().encode('{'), ctx))).toBe('E_AGENT_PLAN');
    expect(codeOf(checkPlan(plan([shard('http://127.0.0.1:1/')], 2), ctx))).toBe('E_AGENT_PLAN');
    expect(codeOf(checkPlan(plan([]), ctx))).toBe('E_AGENT_PLAN');
    const ok = plan([shard('http://127.0.0.1:1/')]);
    expect(checkPlan(ok, { ...ctx, busyWith: 'r0' })).toEqual({
      code: 'E_AGENT_BUSY',
      message: 'agent a1 is busy with run r0',
    });
    expect(codeOf(checkPlan(plan([shard('http://127.0.0.1:1/', 20_000)]), ctx))).toBe(
      'E_PLAN_LIMIT',
    );
    expect(checkPlan(plan([shard('http://10.1.2.3:80/')]), ctx)).toMatchObject({
      code: 'E_TARGET_NOT_ALLOWED',
      message: expect.stringMatching(/^target 10\.1\.2\.3:80 is not in agent a1's allowlist/),
    });
  });
});

describe('clock offset', () => {
  it('takes the midpoint of the fastest round trip', () => {
    // Coordinator clock = agent clock + 40 ms; the slow rounds queued on one side.
    const o = estimateOffset([
      { sentMs: 1000, coordMs: 1048, receivedMs: 1010 }, // rtt 10, skewed by queueing
      { sentMs: 2000, coordMs: 2040.5, receivedMs: 2001 }, // rtt 1: the best
      { sentMs: 3000, coordMs: 3030, receivedMs: 3030 }, // rtt 30
    ]);
    expect(o.offsetMs).toBeCloseTo(40, 6);
    expect(o.rttMs).toBe(1);
    expect(o.samples).toBe(3);
  });

  it('moves absolute snapshot times into the coordinator clock, not relative ones', () => {
    const r = new Recorder(5000, 6000);
    r.scheduled(5100);
    r.sent(5100, 5100, 5100);
    r.completed(5100, 5100, 5200, OK);
    const s = r.snapshot();
    const c = toCoordinatorClock(s, 250);
    expect(c.measureStartMs).toBe(5250);
    expect(c.measureEndMs).toBe(6250);
    expect(c.firstCompletedMs).toBe(s.firstCompletedMs + 250);
    expect(c.intervals).toEqual(s.intervals);
    expect(c.histograms).toEqual(s.histograms);
  });
});

describe('fleet tracker', () => {
  const agents = [
    { id: 'a', name: 'one' },
    { id: 'b', name: 'two' },
  ];
  const live = { ok: 10, errors: 1, timeouts: 0, inFlight: 2, p99Ms: 3 };

  it('loses an agent that stays silent, and keeps the rest running', () => {
    const t = new FleetTracker(agents, 0, { lossAfterMs: 3000, deadlineMs: 60_000 });
    for (let now = 250; now <= 5000; now += 250) {
      t.heard('a', now, { state: 'live', live });
      if (now <= 1000) t.heard('b', now, { state: 'live', live });
      const lost = t.check(now);
      if (now < 4000) expect(lost).toEqual([]);
      if (now === 4000) expect(lost.map((x) => x.id)).toEqual(['b']);
    }
    const b = t.list().find((x) => x.id === 'b')!;
    expect(b.state).toBe('lost');
    expect(b.lastHeardMs).toBe(1000);
    expect(b.lostAtMs).toBe(4000);
    expect(b.reason).toMatch(/silent for 3\.0 s/);
    expect(t.settled()).toBe(false);
    t.heard('a', 5500, { state: 'done', chunks: 1, bytes: 100 });
    expect(t.settled()).toBe(true);
    // News from a lost agent does not bring it back.
    t.heard('b', 6000, { state: 'done', chunks: 1, bytes: 1 });
    expect(t.list().find((x) => x.id === 'b')!.state).toBe('lost');
  });

  it('gives up on agents still running at the deadline, however chatty', () => {
    const t = new FleetTracker(agents, 0, { lossAfterMs: 3000, deadlineMs: 2000 });
    t.heard('a', 1900, { state: 'done', chunks: 2, bytes: 10 });
    t.heard('b', 1900, { state: 'live', live });
    expect(t.check(1950)).toEqual([]);
    expect(t.check(2000).map((x) => x.id)).toEqual(['b']);
    expect(t.list().find((x) => x.id === 'b')!.reason).toBe('no result by the deadline');
    expect(t.settled()).toBe(true);
  });

  it('counts a failed agent as settled with its reason, and sums live stats', () => {
    const t = new FleetTracker(agents, 0, { lossAfterMs: 3000, deadlineMs: 60_000 });
    t.heard('a', 100, { state: 'live', live });
    t.heard('b', 100, { state: 'live', live: { ...live, p99Ms: 9 } });
    expect(t.live()).toEqual({ ok: 20, errors: 2, timeouts: 0, inFlight: 4, p99Ms: 9 });
    t.heard('b', 200, { state: 'failed', code: 'E_X', message: 'boom' });
    expect(t.list().find((x) => x.id === 'b')).toMatchObject({
      state: 'failed',
      reason: 'E_X: boom',
    });
    expect(t.settled()).toBe(false);
  });
});

describe('result transfer', () => {
  it('cuts a gzip stream into chunks that reassemble exactly', () => {
    const r = new Recorder(0, 1000);
    for (let i = 0; i < 500; i++) {
      r.scheduled(i);
      r.sent(i, i, i);
      r.completed(i, i, i + (i % 37), OK);
    }
    const result = {
      results: [
        {
          snapshot: r.snapshot(),
          health: { event_loop_delay_p99_ms: 1, cpu_pct: 2, rss_mb: 3 },
        },
      ],
    };
    const chunks = toChunks(result, 64);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.length <= 64)).toBe(true);
    expect(fromChunks(chunks)).toEqual(result);
  });
});
