import { readFileSync, writeFileSync } from 'node:fs';
import { createUser } from '@nats-io/nkeys';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/record/histogram.js';
import { startNatsServer, type RunningNatsServer } from '../../src/nats-server/server.js';
import { runBench } from '../../src/run/bench.js';
import { resolveScenario } from '../../src/scenario/resolve.js';
import { spawnRouter } from '../../src/targets/builtin-router/spawn.js';
import { connectNats } from '../../src/transports/nats-connect.js';
import { splitNatsUrls } from '../../src/transports/nats-config.js';
import {
  expectCountersAddUp,
  readResult,
  runCli,
  schemaErrors,
  tmp,
  truePercentile,
} from '../helpers/cli.js';

/** A real nats-server on free ports for the whole file; each test makes its own subjects. */
let nats: RunningNatsServer;
beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

const io = { stdout: process.stdout, stderr: process.stderr, quiet: true };
async function bench(fields: Parameters<typeof resolveScenario>[0]) {
  const s = await resolveScenario({ warmup: '0s', out: join(tmp(), 'r.json'), ...fields }, {});
  const { result, exitCode } = await runBench(s, io);
  expectCountersAddUp(result);
  return { result, exitCode };
}

describe('NATS transports against a real nats-server', () => {
  it('request/reply against the built-in router (its own local server), schema-valid result', async () => {
    const out = join(tmp(), 'r.json');
    const r = await runCli([
      '--target',
      'builtin',
      '--transport',
      'nats',
      '--rate',
      '500',
      '--duration',
      '2s',
      '--warmup',
      '500ms',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    const res = readResult(out);
    expect(schemaErrors(res)).toBe('');
    expectCountersAddUp(res);
    expect(res.counters.ok).toBe(1000);
    expect(res.target).toMatchObject({
      kind: 'builtin-nats',
      subject: 'beamline.router.v1.decide',
      mode: 'request',
    });
    expect(res.env.nats_server).toMatch(/^2\./);
    expect(res.metrics.mem_mb).toBeGreaterThan(10);
  });

  it('classifies no responders', async () => {
    const { result } = await bench({
      target: nats.url,
      subject: 'nobody.listens',
      rate: 200,
      duration: '1s',
    });
    expect(result.errors_by_class).toEqual({ no_responders: 200 });
  });

  it('publishes at the scheduled rate, each publish acknowledged by a flush', async () => {
    const nc = await connectNats(splitNatsUrls([nats.url]));
    let received = 0;
    nc.subscribe('bench.pub', {
      callback: () => {
        received++;
      },
    });
    await nc.flush();
    const { result } = await bench({
      target: nats.url,
      mode: 'publish',
      subject: 'bench.pub',
      rate: 2000,
      duration: '1s',
    });
    await nc.flush();
    await new Promise((r) => setTimeout(r, 200));
    expect(result.counters.ok).toBe(2000);
    expect(received).toBe(2000);
    expect(decode(result.histograms.latency).totalCount).toBe(2000);
    await nc.close();
  });

  it('spreads messages over --subjects N, each carrying --payload-size random bytes', async () => {
    const nc = await connectNats(splitNatsUrls([nats.url]));
    const bySubject = new Map<string, number>();
    const sizes = new Set<number>();
    nc.subscribe('bench.fan.*', {
      callback: (_e, m) => {
        bySubject.set(m.subject, (bySubject.get(m.subject) ?? 0) + 1);
        sizes.add(m.data.length);
      },
    });
    await nc.flush();
    const { result } = await bench({
      target: nats.url,
      mode: 'publish',
      subject: 'bench.fan',
      subjects: 4,
      payload_size: 64,
      rate: 800,
      duration: '1s',
    });
    await nc.flush();
    await new Promise((r) => setTimeout(r, 200));
    expect(result.counters.ok).toBe(800);
    expect([...bySubject.keys()].sort()).toEqual([
      'bench.fan.0',
      'bench.fan.1',
      'bench.fan.2',
      'bench.fan.3',
    ]);
    expect([...bySubject.values()]).toEqual([200, 200, 200, 200]);
    expect([...sizes]).toEqual([64]);
    await nc.close();
  });

  it('--nats-connections 3: requests go out in turn over three connections, all answered', async () => {
    const nc = await connectNats(splitNatsUrls([nats.url]));
    const inboxes = new Map<string, number>();
    const reply = new TextEncoder().encode('{"ok":true}');
    nc.subscribe('bench.pool', {
      callback: (_e, m) => {
        // A reply subject is <that connection's inbox>.<request number>.
        const inbox = m.reply!.slice(0, m.reply!.lastIndexOf('.'));
        inboxes.set(inbox, (inboxes.get(inbox) ?? 0) + 1);
        m.respond(reply);
      },
    });
    await nc.flush();
    const { result } = await bench({
      target: nats.url,
      subject: 'bench.pool',
      nats: { connections: 3 },
      rate: 600,
      duration: '1s',
    });
    expect(result.counters.ok).toBe(600);
    expect(result.scenario.nats_connections).toBe(3);
    expect([...inboxes.values()].sort()).toEqual([200, 200, 200]);
    await nc.close();
  });

  it('publish with --e2e: each message timed until our own subscriber receives it', async () => {
    const { result } = await bench({
      target: nats.url,
      mode: 'publish',
      e2e: true,
      subject: 'bench.e2e',
      rate: 1000,
      duration: '1s',
    });
    expect(result.counters.ok).toBe(1000);
    expect(result.counters.timeouts).toBe(0);
    expect(result.scenario.e2e).toBe(true);
    expect(result.metrics.latency_p50_ms).toBeGreaterThan(0);
  });

  it('JetStream: acks recorded, a missing stream and stream limits classified', async () => {
    const nc = await connectNats(splitNatsUrls([nats.url]));
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'BENCH', subjects: ['bench.js.ok'] });
    // discard new: past 100 messages the stream refuses (a real backpressure signal).
    await jsm.streams.add({
      name: 'SMALL',
      subjects: ['bench.js.small'],
      max_msgs: 100,
      discard: 'new' as never,
    });
    const ok = await bench({
      target: nats.url,
      mode: 'jetstream',
      subject: 'bench.js.ok',
      rate: 300,
      duration: '1s',
    });
    expect(ok.result.counters.ok).toBe(300);
    expect((await jsm.streams.info('BENCH')).state.messages).toBe(300);
    const none = await bench({
      target: nats.url,
      mode: 'jetstream',
      subject: 'bench.js.nostream',
      rate: 50,
      duration: '1s',
    });
    expect(none.result.errors_by_class).toEqual({ js_no_stream: 50 });
    const small = await bench({
      target: nats.url,
      mode: 'jetstream',
      subject: 'bench.js.small',
      rate: 300,
      duration: '1s',
    });
    expect(small.result.counters.ok).toBe(100);
    expect(small.result.errors_by_class.js_limits).toBe(200);
    expect(small.result.backpressure_by_kind.js_limits).toBe(200);
    await nc.close();
  });

  it('a responder killed mid-run gives counted errors, and the run completes and is written', async () => {
    const router = await spawnRouter({ workers: 0, serviceTimeMs: 0 }, { url: nats.url });
    const out = join(tmp(), 'r.json');
    // Killed 1 s into the measured window (not by the wall clock: start-up time varies).
    const s = await resolveScenario(
      {
        target: nats.url,
        rate: 400,
        duration: '3s',
        warmup: '500ms',
        timeout: '500ms',
        out,
        fault_at: '1s',
        fault_cmd: `kill -KILL ${router.pid}`,
      },
      {},
    );
    const { result, exitCode } = await runBench(s, io);
    expect(exitCode, JSON.stringify(result.generator)).toBe(0);
    expectCountersAddUp(result);
    expect(result.counters.ok).toBeGreaterThan(300);
    expect(result.counters.ok).toBeLessThan(500);
    const failed =
      (result.errors_by_class.no_responders ?? 0) + (result.errors_by_class.timeout ?? 0);
    expect(failed).toBeGreaterThan(600);
    expect(readResult(out).counters.sent).toBe(1200);
  });

  it('coordinated omission over NATS: a stalling responder, p99 and p99.9 within 5% of the truth', async () => {
    const out = join(tmp(), 'co.json');
    const r = await runCli([
      '--target',
      'builtin',
      '--transport',
      'nats',
      '--nats-url',
      nats.url,
      '--rate',
      '1000',
      '--duration',
      '6s',
      '--warmup',
      '1s',
      '--builtin-workers',
      '0',
      '--builtin-service-time',
      '0ms',
      '--builtin-stall-every',
      '2s',
      '--builtin-stall-for',
      '200ms',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    const m = readResult(out).metrics;
    const p99 = truePercentile(0.99, 200, 2000); // 180 ms
    const p999 = truePercentile(0.999, 200, 2000); // 198 ms
    expect(m.latency_p99_ms).toBeGreaterThan(p99 * 0.95);
    expect(m.latency_p99_ms).toBeLessThan(p99 * 1.05);
    expect(m.latency_p999_ms).toBeGreaterThan(p999 * 0.95);
    expect(m.latency_p999_ms).toBeLessThan(p999 * 1.05);
  });
});

describe('NATS credentials', () => {
  let authNats: RunningNatsServer;
  const PASSWORD = 's3cret-pass-xyz';
  beforeAll(async () => {
    authNats = await startNatsServer({
      extraConfig: `authorization { user: bench, password: "${PASSWORD}" }`,
    });
  });
  afterAll(async () => {
    await authNats?.stop();
  });

  it('takes the password from an environment variable and never writes it anywhere', async () => {
    const out = join(tmp(), 'r.json');
    const r = await runCli(
      [
        '--target',
        authNats.url,
        '--subject',
        'nobody.auth',
        '--rate',
        '50',
        '--duration',
        '1s',
        '--warmup',
        '500ms',
        '--out',
        out,
        '--nats-user',
        'bench',
        '--nats-password-env',
        'BENCH_NATS_PW',
      ],
      { env: { ...process.env, BENCH_NATS_PW: PASSWORD } },
    );
    expect(r.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain(PASSWORD);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(JSON.parse(text).scenario.auth).toBe('user');
  });

  it('credentials in the URL work and are redacted; a wrong password is one clear line', async () => {
    const out = join(tmp(), 'r.json');
    const withCreds = authNats.url.replace('nats://', `nats://bench:${PASSWORD}@`);
    const ok = await runCli([
      '--target',
      withCreds,
      '--subject',
      'nobody.auth',
      '--rate',
      '50',
      '--duration',
      '1s',
      '--warmup',
      '500ms',
      '--out',
      out,
      '--quiet',
    ]);
    expect(ok.code).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toContain(PASSWORD);
    const bad = await runCli([
      '--target',
      authNats.url.replace('nats://', 'nats://bench:wrong-password@'),
      '--rate',
      '10',
      '--duration',
      '1s',
      '--out',
      join(tmp(), 'x.json'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/unreachable: authorization/i);
    expect(bad.stderr).not.toContain('wrong-password');
  });
});

describe('NATS nkey authentication', () => {
  it('signs in with an nkey seed read from a file', async () => {
    const user = createUser();
    const seedFile = join(tmp(), 'user.nk');
    writeFileSync(seedFile, new TextDecoder().decode(user.getSeed()));
    const server = await startNatsServer({
      extraConfig: `authorization { users: [ { nkey: ${user.getPublicKey()} } ] }`,
    });
    try {
      const out = join(tmp(), 'r.json');
      const ok = await runCli([
        '--target',
        server.url,
        '--subject',
        'nobody.nkey',
        '--rate',
        '50',
        '--duration',
        '1s',
        '--warmup',
        '500ms',
        '--out',
        out,
        '--quiet',
        '--nats-nkey-file',
        seedFile,
      ]);
      expect(ok.code).toBe(0);
      const text = readFileSync(out, 'utf8');
      expect(text).not.toContain(new TextDecoder().decode(user.getSeed()));
      expect(JSON.parse(text).scenario.auth).toBe('nkey');
      const refused = await runCli([
        '--target',
        server.url,
        '--rate',
        '10',
        '--duration',
        '1s',
        '--out',
        join(tmp(), 'x.json'),
      ]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/authorization/i);
    } finally {
      await server.stop();
    }
  });
});

describe('TLS-required nats-server', () => {
  let tlsNats: RunningNatsServer;
  beforeAll(async () => {
    tlsNats = await startNatsServer({ tls: true });
  });
  afterAll(async () => {
    await tlsNats?.stop();
  });

  it('works over TLS with the CA and a client certificate', async () => {
    const t = tlsNats.tls!;
    const out = join(tmp(), 'r.json');
    const r = await runCli([
      '--target',
      tlsNats.url,
      '--subject',
      'nobody.tls',
      '--rate',
      '100',
      '--duration',
      '1s',
      '--warmup',
      '500ms',
      '--out',
      out,
      '--quiet',
      '--tls-ca',
      t.ca,
      '--tls-cert',
      t.clientCert,
      '--tls-key',
      t.clientKey,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readResult(out).errors_by_class).toEqual({ no_responders: 100 });
  });

  it('refuses a connection without TLS settings with a clear one-line error', async () => {
    const plain = tlsNats.url.replace('tls://', 'nats://');
    const r = await runCli([
      '--target',
      plain,
      '--rate',
      '10',
      '--duration',
      '1s',
      '--out',
      join(tmp(), 'r.json'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unreachable: .*(TLS|certificate)/i);
  });
});
