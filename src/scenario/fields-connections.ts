import { DECIDE_SUBJECT } from '../targets/builtin-router/addresses.js';
import { parseAgentCount } from './flag-text.js';
import { authFields, field, knobFields, type FieldGroup } from './field-kit.js';

/** The scenario fields of the outputs, the HTTP and NATS clients, probes, faults, agents and the built-in router (part of the one table). */
export function outputAndConnectionFields() {
  const out: FieldGroup = 'Outputs';
  const http: FieldGroup = 'HTTP client and TLS';
  const nats: FieldGroup = 'NATS';
  const probes: FieldGroup = 'Target probes and faults';
  const agents: FieldGroup = 'Generator agents';
  return [
    field('out', out, 'string', 'result JSON path (written atomically)', {
      default: 'reports/run.json',
    }),
    field('save_baseline', out, 'string', 'also save the result as a baseline (only if valid)', {
      details:
        'Only when the run completed and is valid: never over a good baseline from a bad run',
    }),
    field('html', out, 'string', 'write a self-contained HTML report with charts'),
    field('hgrm', out, 'string', 'write the latency percentile spectrum (.hgrm)'),
    field('hist_log', out, 'string', 'write per-second histograms as an HdrHistogram interval log'),
    field('metrics_listen', out, 'string', 'serve live Prometheus metrics at HOST:PORT/metrics'),
    field('metrics_linger', out, 'duration', 'keep serving the final values this long', {
      default: '5s',
    }),

    field('connections', http, 'integer', 'keep-alive connections (split across threads)', {
      details:
        'A request never waits inside the client: when every connection is busy it waits in the schedule, counted as backpressure `connections_busy`, its wait in its latency',
      default: '32',
      schema: { minimum: 1, maximum: 100000 },
    }),
    field('http_engine', http, 'string', 'HTTP client: fast (own HTTP/1.1) or undici', {
      details:
        "`fast` costs about a third of what `undici`, Node's general-purpose client, does per request",
      default: 'fast',
      choices: ['fast', 'undici'],
    }),
    field('max_in_flight', http, 'integer', 'client-side bound on requests in flight', {
      details:
        'A request that must wait counts as backpressure (`client_in_flight_limit`) and the wait stays in its latency',
      default: '10000',
      schema: { minimum: 1 },
    }),
    field(
      'max_send_lag',
      http,
      'duration',
      'send lag p99 beyond which the generator is saturated',
      {
        default: '10ms',
      },
    ),
    field('tls.ca', http, 'string', 'CA certificate file for HTTPS'),
    field('tls.cert', http, 'string', 'client certificate file (mTLS)'),
    field('tls.key', http, 'string', 'client key file (mTLS)'),
    field('tls.insecure', http, 'boolean', 'do not verify the server certificate', {
      flag: 'insecure',
    }),

    field('transport', nats, 'string', 'with target builtin: drive it over http or nats', {
      choices: ['http', 'nats'],
    }),
    field(
      'mode',
      nats,
      'string',
      'NATS: request/reply, publish (acknowledged by flush), JetStream publish (PubAck) or consume (a JetStream pull consumer)',
      {
        default: 'request',
        choices: ['request', 'publish', 'jetstream', 'consume'],
        help: 'NATS mode',
      },
    ),
    field('subject', nats, 'string', 'NATS subject', {
      default: DECIDE_SUBJECT,
      schema: { minLength: 1 },
    }),
    field(
      'subjects',
      nats,
      'integer',
      'NATS: spread over N subjects, SUBJECT.0 .. SUBJECT.N-1 (nats bench --multisubject)',
      { schema: { minimum: 1, maximum: 1000000 } },
    ),
    field(
      'payload_size',
      nats,
      'integer',
      'NATS: a payload of N random bytes instead of the body',
      {
        schema: { minimum: 0, maximum: 67108864 },
      },
    ),
    field(
      'traceparent',
      nats,
      'boolean',
      'NATS: inject a fresh W3C traceparent header per request',
    ),
    field('e2e', nats, 'boolean', 'NATS publish: latency until our own subscriber receives each'),
    field(
      'stream',
      nats,
      'string',
      'consume: the stream (default: the one capturing the subject)',
      {
        schema: { minLength: 1 },
      },
    ),
    field(
      'consumer',
      nats,
      'string',
      'consume: an existing durable pull consumer (default: one made for the run)',
      { schema: { minLength: 1 } },
    ),
    field('deliver', nats, 'string', 'consume: from the first message (all) or only new ones', {
      default: 'all',
      choices: ['all', 'new'],
    }),
    field('nats.url', nats, 'string', 'with target builtin over NATS: use this server'),
    field('nats.connections', nats, 'integer', 'NATS connections per generator thread, in turn', {
      details:
        'Each with its own inbox and flushes, like nats bench --clients; one is usually enough, as the thread runs out of CPU first',
      default: '1',
      schema: { minimum: 1, maximum: 64 },
    }),
    ...authFields('nats.', 'nats-', 'NATS', nats),

    field('probe_pid', probes, 'integer', "sample this process's RSS and CPU (Linux /proc)", {
      schema: { minimum: 1 },
    }),
    field('probe_prom', probes, 'string', 'sample a Prometheus endpoint (memory and CPU)'),
    field('probe_prom_mem', probes, 'string', 'memory metric', {
      default: 'process_resident_memory_bytes',
    }),
    field('probe_prom_cpu', probes, 'string', 'CPU seconds counter', {
      default: 'process_cpu_seconds_total',
    }),
    field(
      'probe_nats_varz',
      probes,
      'string',
      'sample a nats-server /varz (mem, cpu, slow consumers)',
    ),
    field(
      'leak_threshold',
      probes,
      'number',
      'MB/min of target memory growth that suggests a leak (soak)',
      { default: '10', schema: { minimum: 0 } },
    ),
    field('fault_at', probes, 'duration', 'run the fault command this long after warm-up'),
    field('fault_cmd', probes, 'string', 'fault command (/bin/sh); {pid} is the target pid'),
    field('recover_at', probes, 'duration', 'run the recovery command this long after warm-up'),
    field('recover_cmd', probes, 'string', 'recovery command (e.g. "kill -CONT {pid}")'),
    field(
      'recovery_factor',
      probes,
      'number',
      'recovered when the slowest answers are within this factor of normal',
      { default: '2', schema: { exclusiveMinimum: 1 } },
    ),

    field(
      'agents.count',
      agents,
      'string',
      'split the run over N generator agents (or all found)',
      {
        flag: 'agents',
        schema: { oneOf: [{ type: 'integer', minimum: 1 }, { const: 'all' }] },
        fromFlag: parseAgentCount,
        docType: 'integer or `all`',
      },
    ),
    field('agents.nats', agents, 'string', 'NATS URL(s) of the bus the agents serve on', {
      flag: 'nats',
    }),
    field(
      'agents.local',
      agents,
      'integer',
      'start N agents and an authenticated nats-server here',
      {
        flag: 'local-agents',
        schema: { minimum: 1, maximum: 64 },
      },
    ),
    field('agents.wait', agents, 'duration', 'how long to look for agents', {
      default: '10s',
      flag: 'agents-wait',
      schema: { type: ['string', 'number'] },
    }),
    ...authFields('agents.', 'agents-', 'agent bus', agents),

    ...knobFields('builtin.', 'builtin-'),
  ];
}
