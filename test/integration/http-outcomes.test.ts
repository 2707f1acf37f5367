import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../../src/run/bench.js';
import { resolveScenario } from '../../src/scenario/resolve.js';
import { expectCountersAddUp, tmp } from '../helpers/cli.js';

/**
 * A real HTTP server on a free port whose answer depends on the path, so each outcome class
 * can be driven for real: slow, hanging, resetting, status codes, application errors.
 */
let server: Server;
let base: string;
const seenIds = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '';
      if (path === '/ids') {
        seenIds.add(String((JSON.parse(body) as { id: string }).id));
        res.end('{"ok":true}');
      } else if (path === '/hang') {
        /* never answers: a timeout */
      } else if (path === '/slow') setTimeout(() => res.end('{"ok":true}'), 100);
      else if (path === '/reset') req.socket.destroy();
      else if (path === '/mixed') {
        const n = Number(req.headers['x-seq']);
        const replies: [number, string][] = [
          [200, '{"ok":true}'],
          [429, ''],
          [503, ''],
          [500, ''],
          [404, ''],
          [200, '{"ok":false,"error":{"code":"overloaded"}}'],
          [200, '{"ok":false,"error":{"code":"no_route"}}'],
          [200, 'not json'],
        ];
        const [status, text] = replies[n % replies.length]!;
        res.writeHead(status).end(text);
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

const io = { stdout: process.stdout, stderr: process.stderr, quiet: true };

type Fields = Parameters<typeof resolveScenario>[0];
let engine: Fields['http_engine'] = 'fast';

async function bench(fields: Fields) {
  const s = await resolveScenario(
    { warmup: '0s', out: join(tmp(), 'r.json'), http_engine: engine, ...fields },
    {},
  );
  const { result } = await runBench(s, io);
  expectCountersAddUp(result);
  return result;
}

describe.each(['fast', 'undici'] as const)(
  'HTTP outcomes against a real server (%s engine)',
  (e) => {
    beforeAll(() => {
      engine = e;
    });

    it('classifies every status class and reply error', async () => {
      const r = await bench({
        target: `${base}/mixed`,
        rate: 400,
        duration: '1s',
        headers: { 'x-seq': '{{seq}}' },
        reply_check: true,
        body: '{}',
      });
      const n = r.counters.sent / 8;
      expect(r.counters.ok).toBe(n);
      expect(r.errors_by_class).toEqual({
        http_429: n,
        http_503: n,
        http_5xx: n,
        http_4xx: n,
        'app:overloaded': n,
        'app:no_route': n,
        bad_reply: n,
      });
      expect(r.backpressure_by_kind).toEqual({ http_429: n, http_503: n, 'app:overloaded': n });
      expect(r.metrics.backpressure_total).toBe(3 * n);
      expect(r.metrics.error_rate).toBeCloseTo(7 / 8, 3);
    });

    it('counts a hanging target as timeouts and the run still completes', async () => {
      const r = await bench({ target: `${base}/hang`, rate: 50, duration: '1s', timeout: '300ms' });
      expect(r.counters.timeouts).toBe(50);
      expect(r.errors_by_class.timeout).toBe(50);
      expect(r.metrics.timeouts_total).toBe(50);
    }, 30_000);

    it('classifies connection resets', async () => {
      const r = await bench({ target: `${base}/reset`, rate: 50, duration: '1s' });
      expect(r.errors_by_class.connection_reset).toBe(r.counters.sent);
    });

    it('hitting --max-in-flight is backpressure and the wait counts in latency', async () => {
      // 100 ms service at 200 req/s needs ~20 in flight; allow 5, so requests queue client-side.
      const r = await bench({
        target: `${base}/slow`,
        rate: 200,
        duration: '1s',
        max_in_flight: 5,
        timeout: '5s',
      });
      expect(r.backpressure_by_kind.client_in_flight_limit).toBeGreaterThan(100);
      // Service time stays ~100 ms; latency from the intended time grows with the queue.
      expect(r.service_time.p99_ms).toBeLessThan(300);
      expect(r.metrics.latency_p99_ms).toBeGreaterThan(600);
      // Nothing goes out after the schedule's end: what could not be sent is counted so.
      expect(r.counters.not_sent).toBeGreaterThan(100);
      expect(r.generator.limit).toBe('in_flight_limit');
      expect(r.counters.ok + r.counters.not_sent + r.counters.in_flight_at_end).toBe(
        r.counters.scheduled - r.counters.timeouts - r.counters.errors,
      );
    }, 30_000);

    it('sends unique request ids', async () => {
      seenIds.clear();
      const r = await bench({
        target: `${base}/ids`,
        rate: 500,
        duration: '1s',
        body: '{"id":"{{request_id}}"}',
      });
      expect(seenIds.size).toBe(r.counters.sent);
    });
  },
);
