import type { ShardPlan } from '../driver/shard.js';
import type { Scenario } from '../scenario/scenario.js';
import { profileFromStages, RateProfile } from '../schedule/profile.js';
import type { TransportConfig } from '../transports/create.js';
import { natsConnFrom, type NatsConnConfig } from '../transports/nats-config.js';
import type { ConsumeTarget } from '../transports/nats-consume.js';

/**
 * A run's plans as plain data: one per generator thread (on every agent), each a disjoint
 * share of one schedule, with the transport settings a worker or an agent builds its own
 * transport from.
 */

/** Stages as one rate profile: the shards' schedules, the mean offered rate, the live target. */
export function rateProfile(s: Scenario): RateProfile | undefined {
  return s.load.stages
    ? new RateProfile(
        profileFromStages(s.load.stages.startRate, s.load.warmupMs, s.load.stages.stages),
      )
    : undefined;
}

export function makePlans(
  s: Scenario,
  url: string,
  runId: string,
  shares: number,
  natsConn: NatsConnConfig | undefined,
  profile: RateProfile | undefined,
  consume: ConsumeTarget | undefined,
): ShardPlan[] {
  const common = {
    headers: s.workload.headers,
    body: s.workload.body,
    tenants: s.workload.tenants,
    timeoutMs: s.workload.timeoutMs,
    replyCheck: { enabled: s.workload.replyCheck, overloadCodes: s.workload.overloadCodes },
    runId,
    shard: 0,
  };
  const kinds = s.workload.requests;
  const transport: TransportConfig = s.nats
    ? {
        kind: 'nats',
        ...common,
        ...natsConn!,
        mode: s.nats.mode,
        subject: s.nats.subject,
        subjects: s.nats.subjects,
        payloadSize: s.nats.payloadSize,
        connections: s.nats.connections,
        traceparent: s.nats.traceparent,
        e2e: s.nats.e2e,
        ...(kinds
          ? { kinds: kinds.map((k) => ({ subject: k.subject, headers: k.headers, body: k.body })) }
          : {}),
      }
    : {
        kind: 'http',
        ...common,
        engine: s.http.engine,
        url,
        method: s.workload.method,
        connections: Math.max(1, Math.ceil(s.http.connections / shares)),
        tls: s.http.tls,
        ...(kinds
          ? {
              kinds: kinds.map((k) => ({
                method: k.method,
                // A kind without a path goes where the target URL points.
                path: k.path || pathOf(url),
                headers: k.headers,
                body: k.body,
              })),
            }
          : {}),
      };
  return Array.from({ length: shares }, (_, index) => ({
    transport: { ...transport, shard: index },
    rate: s.load.rate,
    ...(profile ? { profile: [...profile.segments] } : {}),
    arrival: s.load.arrival,
    seed: s.load.seed,
    share: { index, count: shares },
    concurrency:
      s.load.concurrency !== undefined ? shareOf(s.load.concurrency, index, shares) : undefined,
    warmupMs: s.load.warmupMs,
    durationMs: s.load.durationMs,
    maxInFlight: shareOf(s.load.maxInFlight, index, shares),
    timeoutMs: s.workload.timeoutMs,
    timeline: s.fault !== undefined,
    ...(kinds
      ? { mix: { names: kinds.map((k) => k.name), weights: kinds.map((k) => k.weight) } }
      : {}),
    ...(s.workload.data ? { data: s.workload.data } : {}),
    ...(consume ? { consume } : {}),
  }));
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

/** The rate offered on average over the measured window (warm-up excluded). */
export function meanOfferedRate(p: RateProfile, s: Scenario): number {
  const offered = p.cumulative(s.load.warmupMs + s.load.durationMs) - p.cumulative(s.load.warmupMs);
  return Math.round((offered / (s.load.durationMs / 1000)) * 1000) / 1000;
}

/** Splits an integer budget over n shares, differing by at most one, none below one. */
export function shareOf(total: number, index: number, n: number): number {
  return Math.max(1, Math.floor(total / n) + (index < total % n ? 1 : 0));
}

/** One NATS connection config for the shards and the server probe: servers from the URL
 * list, URL credentials combined with explicit ones (explicit ones win), TLS files. */
export function natsConnConfig(s: Scenario, url: string): NatsConnConfig {
  return {
    ...natsConnFrom(url, { ...s.nats!.auth, credsFile: s.nats!.credsFile }),
    ...(s.http.tls.ca || s.http.tls.cert
      ? { tls: { ca: s.http.tls.ca, cert: s.http.tls.cert, key: s.http.tls.key } }
      : {}),
  };
}
