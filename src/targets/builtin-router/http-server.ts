import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { wallClock } from '../../timing/clock.js';
import { decide, type DecideReply } from './decide.js';
import type { RouterKnobs } from './knobs.js';
import { ServiceModel } from './service-model.js';
import { prometheusText, RouterCounters } from './metrics.js';

/**
 * The reference router over HTTP: POST /api/v1/routes/decide, GET /healthz, GET /metrics.
 * Invalid requests are answered at once (no worker needed), like a real service validating
 * at the edge; valid ones go through the service model.
 */
export interface RouterServer {
  server: Server;
  model: ServiceModel;
  counters: RouterCounters;
  port: number;
  close(): Promise<void>;
}

export const DECIDE_PATH = '/api/v1/routes/decide';

export async function startHttpRouter(
  knobs: RouterKnobs,
  port = 0,
  host = '127.0.0.1',
): Promise<RouterServer> {
  const model = new ServiceModel(knobs, wallClock);
  const counters = new RouterCounters();
  const server = createServer((req, res) => handle(req, res, model, counters));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  model.startStalls(wallClock.now());
  return {
    server,
    model,
    counters,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        model.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  model: ServiceModel,
  counters: RouterCounters,
): void {
  const url = req.url ?? '/';
  if (req.method === 'GET' && url === '/healthz') return send(res, 200, { ok: true });
  if (req.method === 'GET' && url === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(prometheusText(counters, model.stats));
    return;
  }
  if (url !== DECIDE_PATH)
    return send(res, 404, { ok: false, error: { code: 'not_found', message: url } });
  if (req.method !== 'POST') {
    return send(res, 405, {
      ok: false,
      error: { code: 'method_not_allowed', message: req.method ?? '' },
    });
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      counters.count('invalid_request');
      return send(res, 400, {
        ok: false,
        error: { code: 'invalid_request', message: 'body is not JSON' },
      });
    }
    const reply = decide(body);
    if (!reply.ok) {
      counters.count(reply.error.code);
      return send(res, 400, reply);
    }
    model.submit((outcome) => {
      counters.count(outcome);
      if (outcome === 'ok') return send(res, 200, reply);
      if (outcome === 'overloaded')
        return send(res, 503, failure('overloaded', 'queue full', reply));
      send(res, 500, failure('internal_error', 'injected error', reply));
    });
  });
}

export function failure(code: string, message: string, ok: DecideReply): DecideReply {
  return { ok: false, error: { code, message }, ...(ok.ok ? { context: ok.context } : {}) };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
