import type { Scenario } from '../scenario/scenario.js';
import { redactHeaders, redactPath, redactUrl } from '../util/redact.js';
import { basename } from 'node:path';

/** The scenario as run, for the result: credentials redacted, the body template left out. */
export function scenarioEcho(s: Scenario): Record<string, unknown> {
  return {
    name: s.name,
    target: redactUrl(s.target.url),
    rate: s.load.rate ?? null,
    ...(s.load.stages
      ? {
          stages: s.load.stages.stages.map((st) => ({
            duration_ms: st.durationMs,
            target: st.target,
          })),
          start_rate: s.load.stages.startRate,
        }
      : {}),
    concurrency: s.load.concurrency ?? null,
    arrival: s.load.arrival,
    duration_ms: s.load.durationMs,
    warmup_ms: s.load.warmupMs,
    connections: s.http.connections,
    http_engine: s.http.engine,
    max_in_flight: s.load.maxInFlight,
    timeout_ms: s.workload.timeoutMs,
    method: s.workload.method,
    headers: redactHeaders(s.workload.headers),
    has_body: s.workload.body !== undefined,
    ...(s.workload.requests
      ? {
          requests: s.workload.requests.map((k) => ({
            name: k.name,
            weight: k.weight,
            ...(s.nats
              ? { subject: k.subject }
              : { method: k.method, path: k.path ? redactPath(k.path) : null }),
          })),
        }
      : {}),
    // The file's name only: its path may say more about the machine than the run needs.
    ...(s.workload.data
      ? {
          data: {
            file: basename(s.workload.data.file),
            order: s.workload.data.order,
            on_end: s.workload.data.onEnd,
          },
        }
      : {}),
    tenants: s.workload.tenants.length,
    threads: s.load.threads,
    reply_check: s.workload.replyCheck,
    overload_codes: s.workload.overloadCodes,
    seed: s.load.seed,
    repeat: s.load.repeat,
    transport: s.target.transport,
    ...(s.nats
      ? {
          mode: s.nats.mode,
          subject: s.nats.subject,
          ...(s.nats.subjects ? { subjects: s.nats.subjects } : {}),
          ...(s.nats.payloadSize !== undefined ? { payload_size: s.nats.payloadSize } : {}),
          ...(s.nats.connections > 1 ? { nats_connections: s.nats.connections } : {}),
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
    ...(s.target.builtin ? { builtin: s.target.builtin } : {}),
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
