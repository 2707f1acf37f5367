import { connect } from 'node:net';
import { promtoolCheck } from '../helpers/cli.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KNOBS } from '../../src/targets/builtin-router/knobs.js';
import {
  startHttpRouter,
  type RouterServer,
} from '../../src/targets/builtin-router/http-server.js';

describe('built-in router HTTP server', () => {
  let router: RouterServer;
  beforeAll(async () => {
    // A wide service-time spread, so pipelined requests finish out of order in the model.
    router = await startHttpRouter({ ...DEFAULT_KNOBS, serviceTimeMs: 20, serviceDist: 'uniform' });
  });
  afterAll(() => router.close());

  it('answers pipelined requests in request order', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `r${i}`);
    const reqs = ids
      .map((id) => {
        const body = JSON.stringify({
          version: '1',
          request_id: id,
          tenant_id: 't',
          task: { type: 'x' },
        });
        return `POST /api/v1/routes/decide HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n${body}`;
      })
      .join('');
    const text = await new Promise<string>((resolve, reject) => {
      const s = connect(router.port, '127.0.0.1', () => s.write(reqs));
      let got = '';
      s.on('data', (d: Buffer) => {
        got += d.toString();
        if ((got.match(/HTTP\/1\.1 200/g) ?? []).length === ids.length) {
          s.destroy();
          resolve(got);
        }
      });
      s.on('error', reject);
      setTimeout(() => reject(new Error(`timed out with ${got.length} bytes`)), 5000).unref();
    });
    const order = [...text.matchAll(/"request_id":"(r\d+)"/g)].map((m) => m[1]);
    expect(order).toEqual(ids);
  });

  it('answers a malformed request with 400 and closes the connection', async () => {
    const text = await new Promise<string>((resolve) => {
      const s = connect(router.port, '127.0.0.1', () => s.write('NONSENSE\r\n\r\n'));
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString()));
      s.on('close', () => resolve(got));
    });
    expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(text).toMatch(/connection: close/);
  });

  it('serves /metrics that promtool finds clean', async () => {
    const text = await (await fetch(`http://127.0.0.1:${router.port}/metrics`)).text();
    expect(text).toMatch(/^# TYPE router_requests_total counter$/m);
    expect(await promtoolCheck(text)).toBe('');
  });
});
