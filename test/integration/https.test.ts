import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, expectCountersAddUp, readResult, runCli, tmp } from '../helpers/cli.js';

const fx = (f: string): string => join(ROOT, 'test/fixtures/tls', f);
let server: Server;
let url: string;

beforeAll(async () => {
  // mTLS: the server only answers clients with a certificate from the test CA.
  server = createServer(
    {
      key: readFileSync(fx('server.key')),
      cert: readFileSync(fx('server.crt')),
      ca: readFileSync(fx('ca.crt')),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      req.resume();
      req.on('end', () => res.end('{"ok":true}'));
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe.each(['fast', 'undici'])(
  'HTTPS with a private CA and a client certificate (%s engine)',
  (engine) => {
    it('works with --tls-ca, --tls-cert and --tls-key', async () => {
      const out = join(tmp(), 'run.json');
      const r = await runCli([
        '--target',
        url,
        '--rate',
        '200',
        '--duration',
        '1s',
        // undici opens its TLS connections lazily: keep the handshakes in the warm-up.
        '--warmup',
        '1s',
        '--out',
        out,
        '--quiet',
        '--http-engine',
        engine,
        '--tls-ca',
        fx('ca.crt'),
        '--tls-cert',
        fx('client.crt'),
        '--tls-key',
        fx('client.key'),
      ]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const res = readResult(out);
      expectCountersAddUp(res);
      expect(res.counters.ok).toBe(200);
    });

    it('refuses a server it cannot verify, before the run, in one line', async () => {
      const r = await runCli([
        '--target',
        url,
        '--rate',
        '10',
        '--duration',
        '1s',
        '--http-engine',
        engine,
        '--out',
        join(tmp(), 'r.json'),
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/unreachable: .*(certificate|self.signed|issuer)/i);
    });
  },
);
