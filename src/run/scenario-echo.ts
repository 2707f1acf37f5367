import type { Scenario } from '../scenario/scenario.js';
import { redactHeaders, redactPath, redactUrl } from '../util/redact.js';
import { basename } from 'node:path';

/** The scenario as run, for the result: credentials redacted, the body template left out. */
export function scenarioEcho(s: Scenario): Record<string, unknown> {
  return {
    name: s.name,
    target: redactUrl(s.target),
    rate: s.rate ?? null,
    ...(s.stages
      ? {
          stages: s.stages.stages.map((st) => ({ duration_ms: st.durationMs, target: st.target })),
          start_rate: s.stages.startRate,
        }
      : {}),
    concurrency: s.concurrency ?? null,
    arrival: s.arrival,
    duration_ms: s.durationMs,
    warmup_ms: s.warmupMs,
    connections: s.connections,
    http_engine: s.httpEngine,
    max_in_flight: s.maxInFlight,
    timeout_ms: s.timeoutMs,
    method: s.method,
    headers: redactHeaders(s.headers),
    has_body: s.body !== undefined,
    ...(s.requests
      ? {
          requests: s.requests.map((k) => ({
            name: k.name,
            weight: k.weight,
            ...(s.nats
              ? { subject: k.subject }
              : { method: k.method, path: k.path ? redactPath(k.path) : null }),
          })),
        }
      : {}),
    // The file's name only: its path may say more about the machine than the run needs.
    ...(s.data
      ? { data: { file: basename(s.data.file), order: s.data.order, on_end: s.data.onEnd } }
      : {}),
    tenants: s.tenants.length,
    threads: s.threads,
    reply_check: s.replyCheck,
    overload_codes: s.overloadCodes,
    seed: s.seed,
    repeat: s.repeat,
    transport: s.transport,
    ...(s.nats
      ? {
          mode: s.nats.mode,
          subject: s.nats.subject,
          ...(s.nats.subjects ? { subjects: s.nats.subjects } : {}),
          ...(s.nats.payloadSize !== undefined ? { payload_size: s.nats.payloadSize } : {}),
          ...(s.nats.mode === 'consume'
            ? {
                stream: s.nats.stream ?? null,
                consumer: s.nats.consumer ?? null,
                deliver: s.nats.deliver,
              }
            : {}),
          traceparent: s.nats.traceparent,
          e2e: s.nats.e2e,
          // Which kind of credentials, never the credentials.
          auth: s.nats.credsFile
            ? 'creds'
            : s.nats.auth.nkeySeed
              ? 'nkey'
              : s.nats.auth.token
                ? 'token'
                : s.nats.auth.user
                  ? 'user'
                  : 'none',
        }
      : {}),
    ...(s.builtin ? { builtin: s.builtin } : {}),
    ...(s.agents
      ? {
          agents: {
            count: s.agents.count,
            local: s.agents.local,
            ...(s.agents.bus ? { nats: s.agents.bus.servers.map(redactUrl).join(',') } : {}),
          },
        }
      : {}),
  };
}
