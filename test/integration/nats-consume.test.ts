import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../src/util/free-port.js';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../src/record/histogram.js';
import { startNatsServer, type RunningNatsServer } from '../../src/nats-server/server.js';
import { connectNats } from '../../src/transports/nats-connect.js';
import { splitNatsUrls } from '../../src/transports/nats-config.js';
import {
  expectCountersAddUp,
  expectOneLineError,
  readResult,
  runCli,
  schemaErrors,
  tmp,
} from '../helpers/cli.js';

/** `--mode consume` against a real JetStream stream on a real nats-server. */
let nats: RunningNatsServer;
beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

describe('NATS consume mode', () => {
  it('counts every message once, its latency from its publish time', async () => {
    const nc = await connectNats(splitNatsUrls([nats.url]));
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'CONSUME1', subjects: ['consume1.>'] });
    const js = jetstream(nc);
    // 500 before the run (a backlog), 1,000 during it, each stamped with its send time.
    const publish = async (n: number, from: number) => {
      for (let i = 0; i < n; i++) {
        const h = headers();
        h.set('Bench-Sent-Ms', String(Date.now()));
        await js.publish(`consume1.${(from + i) % 3}`, `m${from + i}`, { headers: h });
      }
    };
    await publish(500, 0);
    // The backlog waits a second before the run starts, so its latency (from its publish
    // time, not from when the run reads it) is over a second whatever the start-up takes.
    await new Promise((r) => setTimeout(r, 1000));
    const out = join(tmp(), 'r.json');
    // Two threads pull from the one consumer: each message goes to one of them.
    const run = runCli([
      '--target',
      nats.url,
      '--mode',
      'consume',
      '--stream',
      'CONSUME1',
      '--threads',
      '2',
      '--duration',
      '3s',
      '--warmup',
      '0s',
      '--out',
      out,
      '--quiet',
    ]);
    await new Promise((r) => setTimeout(r, 1000));
    const during = Date.now();
    await publish(1000, 500);
    const publishMs = Date.now() - during;
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    const result = readResult(out);
    expect(schemaErrors(result)).toBe('');
    expectCountersAddUp(result);
    expect(result.run.mode).toBe('consume');
    expect(result.counters.ok).toBe(1500);
    expect(result.counters.sent).toBe(1500);
    expect(result.errors_by_class).toEqual({});
    expect(decode(result.histograms.latency).totalCount).toBe(1500);
    // The backlog waited since before the run; the live ones arrive within a few ms.
    expect(result.metrics.latency_max_ms).toBeGreaterThan(1000);
    expect(result.metrics.latency_p50_ms).toBeLessThan(publishMs + 50);
    // The consumer made for the run is gone; the stream keeps its messages.
    const consumers = await jsm.consumers.list('CONSUME1').next();
    expect(consumers).toHaveLength(0);
    expect((await jsm.streams.info('CONSUME1')).state.messages).toBe(1500);
    await nc.close();
  });

  it('deliver new, by subject: only what is published during the run, the stream found by subject', async () => {
    const nc = await connectNats(splitNatsUrls([nats.url]));
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'CONSUME2', subjects: ['consume2.*'] });
    const js = jetstream(nc);
    for (let i = 0; i < 100; i++) await js.publish('consume2.old', 'x');
    const out = join(tmp(), 'r.json');
    const cli = runCli([
      '--target',
      nats.url,
      '--mode',
      'consume',
      '--subject',
      'consume2.new',
      '--deliver',
      'new',
      '--duration',
      '2s',
      '--warmup',
      '0s',
      '--out',
      out,
      '--quiet',
    ]);
    // Publish once the run's consumer exists (deliver new starts there).
    for (let t = 0; t < 100 && (await jsm.consumers.list('CONSUME2').next()).length === 0; t++)
      await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 300; i++) await js.publish(i % 2 ? 'consume2.new' : 'consume2.old', 'y');
    const r = await cli;
    expect(r.code, r.stderr).toBe(0);
    const res = readResult(out);
    expect(res.counters.ok).toBe(150);
    expect(res.scenario).toMatchObject({ mode: 'consume', deliver: 'new', stream: null });
    await nc.close();
  });

  it('bad consume runs: one line, exit 2', async () => {
    const bad = async (args: string[], pattern: RegExp) =>
      expectOneLineError(await runCli(['--mode', 'consume', ...args]), 'bench-router', pattern);
    await bad(
      ['--target', nats.url, '--subject', 'nothing.here'],
      /no stream captures subject nothing\.here/,
    );
    await bad(['--target', nats.url], /needs --stream NAME or --subject S/);
    await bad(
      ['--target', nats.url, '--stream', 'X', '--rate', '10'],
      /--rate does not go with --mode consume/,
    );
    await bad(['--target', 'builtin', '--stream', 'X'], /give a nats:\/\/ target/);
    // A server without JetStream: a clear line, not an internal error (and the run ends).
    const port = await freePort();
    const plain = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], {
      stdio: 'ignore',
    });
    try {
      await new Promise((r) => setTimeout(r, 500));
      await bad(
        ['--target', `nats://127.0.0.1:${port}`, '--stream', 'X'],
        /JetStream is not enabled on this server/,
      );
    } finally {
      plain.kill();
    }
  });
});
