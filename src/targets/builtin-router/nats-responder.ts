import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '../../transports/nats-connect.js';
import { splitNatsUrls } from '../../transports/nats-config.js';
import { DECIDE_SUBJECT } from './addresses.js';
import { decide, invalid } from './decide.js';
import { failure } from './http-server.js';
import type { RouterCounters } from './metrics.js';
import type { ServiceModel } from './service-model.js';

/**
 * The reference router over NATS: the same contract and service model as over HTTP, on
 * `beamline.router.v1.decide` in a queue group, so several routers share the load.
 */
const enc = new TextEncoder();

export async function startNatsRouter(
  url: string,
  model: ServiceModel,
  counters: RouterCounters,
  opts: { subject?: string; ca?: string } = {},
): Promise<NatsConnection> {
  const { servers, auth } = splitNatsUrls([url]);
  const nc = await connectNats({
    servers,
    auth,
    name: 'builtin-router',
    ...(opts.ca ? { tls: { ca: opts.ca } } : {}),
  });
  const reply = (m: Msg, body: unknown): void => {
    if (m.reply) m.respond(enc.encode(JSON.stringify(body)));
  };
  nc.subscribe(opts.subject ?? DECIDE_SUBJECT, {
    queue: 'builtin-router',
    callback: (err, m) => {
      if (err) return;
      let req: unknown;
      try {
        req = m.json();
      } catch {
        counters.count('invalid_request');
        return reply(m, invalid('body is not JSON'));
      }
      const r = decide(req);
      if (!r.ok) {
        counters.count(r.error.code);
        return reply(m, r);
      }
      model.submit((outcome) => {
        counters.count(outcome);
        if (outcome === 'ok') return reply(m, r);
        reply(
          m,
          outcome === 'overloaded'
            ? failure('overloaded', 'queue full', r)
            : failure('internal_error', 'injected error', r),
        );
      });
    },
  });
  await nc.flush();
  return nc;
}
