import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findNatsServer } from '../../src/nats-server/binary.js';
import { runCli, tmp } from '../helpers/cli.js';

describe('bench-router nats start|stop|status', () => {
  it('starts once (idempotent), reports status, stops once', async () => {
    const dir = join(tmp(), 'nats');
    const first = await runCli(['nats', 'start', '--dir', dir]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^started: nats:\/\/127\.0\.0\.1:\d+ \(pid \d+/);
    try {
      const again = await runCli(['nats', 'start', '--dir', dir]);
      expect(again.stdout).toMatch(/^already running/);
      const status = await runCli(['nats', 'status', '--dir', dir, '--json']);
      expect(status.code).toBe(0);
      const s = JSON.parse(status.stdout);
      expect(s).toMatchObject({ jetstream: true, tls: false });
      expect(s.version).toMatch(/^2\./);
      expect(s.mem_mb).toBeGreaterThan(1);
    } finally {
      expect((await runCli(['nats', 'stop', '--dir', dir])).stdout).toBe('stopped\n');
    }
    expect((await runCli(['nats', 'stop', '--dir', dir])).stdout).toBe('not running\n');
    const down = await runCli(['nats', 'status', '--dir', dir]);
    expect(down.code).toBe(1);
  });

  it('says how to install nats-server when it is missing', async () => {
    expect(() => findNatsServer({ PATH: '/nonexistent', NATS_SERVER_BIN: undefined })).not.toThrow(
      /x/,
    ); // found in /usr/sbin here
    expect(() => findNatsServer({ NATS_SERVER_BIN: '/nonexistent/nats-server' })).toThrowError(
      /not an executable/,
    );
    const r = await runCli(['nats', 'start', '--dir', join(tmp(), 'n')], {
      env: { ...process.env, NATS_SERVER_BIN: '/nonexistent/nats-server' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
