import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { wallClock } from '../../timing/clock.js';
import { DECIDE_PATH } from './addresses.js';
import { decide, type DecideReply } from './decide.js';
import { Http1RequestParser, RequestError, type ParsedRequest } from './http1-request-parser.js';
import type { RouterKnobs } from './knobs.js';
import { ServiceModel } from './service-model.js';
import { prometheusText, RouterCounters } from './metrics.js';

/**
 * The reference router over HTTP/1.1: POST /api/v1/routes/decide, GET /healthz, GET /metrics.
 * Invalid requests are answered at once (no worker needed), like a real service validating
 * at the edge; valid ones go through the service model. Keep-alive and pipelining: answers
 * leave in request order on each connection, whatever order the service model ends them in.
 */
export interface RouterServer {
  server: Server;
  model: ServiceModel;
  counters: RouterCounters;
  port: number;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  100: 'Continue',
  200: 'OK',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** One answer in a connection's order; written once it and every one before it are ready. */
interface Slot {
  text: string | undefined;
  close: boolean;
}

export async function startHttpRouter(
  knobs: RouterKnobs,
  port = 0,
  host = '127.0.0.1',
): Promise<RouterServer> {
  const model = new ServiceModel(knobs, wallClock);
  const counters = new RouterCounters();
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    serveConnection(sock, model, counters);
  });
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
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function serveConnection(sock: Socket, model: ServiceModel, counters: RouterCounters): void {
  const slots: Slot[] = [];
  let ended = false;
  const flush = (): void => {
    while (slots.length && slots[0]!.text !== undefined && !ended) {
      const s = slots.shift()!;
      if (s.close) {
        ended = true;
        sock.end(s.text!);
      } else sock.write(s.text!);
    }
  };
  const parser = new Http1RequestParser(
    (req) => {
      const slot: Slot = { text: undefined, close: req.close };
      slots.push(slot);
      handle(req, model, counters, (status, body, type) => {
        slot.text = response(status, body, type, slot.close);
        flush();
      });
    },
    () => sock.write('HTTP/1.1 100 Continue\r\n\r\n'),
  );
  sock.on('data', (d: Buffer) => {
    if (ended) return;
    try {
      parser.push(d);
    } catch (e) {
      const status = e instanceof RequestError ? e.status : 400;
      const message = e instanceof Error ? e.message : 'bad request';
      // The stream cannot be trusted past a bad request: answer it after those before it, close.
      slots.push({
        text: response(
          status,
          json({ ok: false, error: { code: 'invalid_request', message } }),
          undefined,
          true,
        ),
        close: true,
      });
      flush();
    }
  });
  sock.on('error', () => sock.destroy());
}

type Reply = (status: number, body: string, contentType?: string) => void;

function handle(
  req: ParsedRequest,
  model: ServiceModel,
  counters: RouterCounters,
  reply: Reply,
): void {
  const { method, target } = req;
  if (method === 'GET' && target === '/healthz') return reply(200, json({ ok: true }));
  if (method === 'GET' && target === '/metrics')
    return reply(200, prometheusText(counters, model.stats), 'text/plain; version=0.0.4');
  if (target !== DECIDE_PATH)
    return reply(404, json({ ok: false, error: { code: 'not_found', message: target } }));
  if (method !== 'POST')
    return reply(405, json({ ok: false, error: { code: 'method_not_allowed', message: method } }));
  let body: unknown;
  try {
    body = JSON.parse(req.body.toString('utf8'));
  } catch {
    counters.count('invalid_request');
    return reply(
      400,
      json({ ok: false, error: { code: 'invalid_request', message: 'body is not JSON' } }),
    );
  }
  const decision = decide(body);
  if (!decision.ok) {
    counters.count(decision.error.code);
    return reply(400, json(decision));
  }
  model.submit((outcome) => {
    counters.count(outcome);
    if (outcome === 'ok') return reply(200, json(decision));
    if (outcome === 'overloaded')
      return reply(503, json(failure('overloaded', 'queue full', decision)));
    reply(500, json(failure('internal_error', 'injected error', decision)));
  });
}

export function failure(code: string, message: string, ok: DecideReply): DecideReply {
  return { ok: false, error: { code, message }, ...(ok.ok ? { context: ok.context } : {}) };
}

const json = (x: unknown): string => JSON.stringify(x);

function response(status: number, body: string, type = 'application/json', close = false): string {
  return `HTTP/1.1 ${status} ${REASONS[status] ?? 'Unknown'}\r\ncontent-type: ${type}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${close ? 'connection: close\r\n' : ''}\r\n${body}`;
}
