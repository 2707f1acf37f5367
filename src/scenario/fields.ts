import { DEFAULT_KNOBS } from '../targets/builtin-router/knobs.js';
import { DECIDE_SUBJECT } from '../targets/builtin-router/nats-responder.js';
import { parseAgentCount, parseHeaders, parseList, parseStages } from './flag-text.js';

/**
 * Every scenario field, once: its place in the scenario file, its CLI flag, its type and
 * bounds, where it shows in `--help`, and what it means. The flags (cli/scenario-flags),
 * the published JSON Schema (schemas/scenario.schema.json, checked by a test against
 * field-schema) and the field reference (docs/scenario-fields.md) are all made from this
 * table, so they cannot drift apart.
 */
export const FIELD_GROUPS = [
  'Target and load',
  'Requests',
  'Outputs',
  'HTTP client and TLS',
  'NATS',
  'Target probes and faults',
  'Generator agents',
  'Built-in router (--target builtin)',
] as const;
export type FieldGroup = (typeof FIELD_GROUPS)[number];

/** A field's type in the file; `duration` is 500ms, 10s, 2m or a number of seconds. */
export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'duration' | 'strings';

export interface ScenarioField {
  /** Where it is in the scenario file; a dot goes into an object (`tls.ca`). */
  path: string;
  /** Its CLI flag (kebab-case); none: the scenario file only. */
  flag?: string;
  group: FieldGroup;
  type: FieldType;
  choices?: readonly string[];
  describe: string;
  /** JSON Schema beyond the type: bounds, a pattern, or a structure of its own. */
  schema?: Record<string, unknown>;
  /** The flag's own shape when it differs from the field's (e.g. `--header` repeated). */
  flagType?: FieldType;
  /** What the flag's value becomes in the file's shape (`30s:100,1m:0` -> stages). */
  fromFlag?: (value: never) => unknown;
  /** Other names of the flag (`--payload` for `--body`). */
  aliases?: string[];
  /** The type as the docs say it, when the file's shape is not one of FieldType's. */
  docType?: string;
  /** A shorter text for `--help`, where a line must hold it (the docs and schema say more). */
  help?: string;
  /** More than `--help` has room for: how it behaves, what it counts as (docs and schema). */
  details?: string;
  /** What it is when not given, as the docs and `--help` say it. */
  default?: string;
}

/** The one line `--help` shows for a field. */
export function helpText(f: ScenarioField): string {
  return `${f.help ?? f.describe}${f.default !== undefined ? `; default ${f.default}` : ''}`;
}

/** The whole text, for the docs and the schema. */
export function fullText(f: ScenarioField): string {
  return `${f.describe}${f.details ? `. ${f.details}` : ''}`;
}

/** Objects of the scenario file: what they are, and what they cannot do without. */
export const FIELD_OBJECTS: Record<string, { describe: string; required?: string[] }> = {
  data: {
    describe:
      'a data feeder: each request takes one row (CSV with a header row, or JSONL) and templates see its fields as {{data.FIELD}}; streamed, threads and agents take disjoint rows',
    required: ['file'],
  },
  tls: { describe: 'TLS for HTTPS targets' },
  nats: { describe: 'NATS connection: secrets only by environment variable or file' },
  agents: {
    describe:
      'split the run over generator agents coordinated on a NATS bus (bench-router agent); secrets only by environment variable or file',
  },
  builtin: { describe: 'knobs of the built-in reference router (target: builtin)' },
};

const NAME_PATTERN = '^[A-Za-z0-9_.-]+$';
const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } };

/**
 * NATS credentials, the same for every connection that needs them (the target's `nats.*`,
 * the agents' bus `agents.*`, an agent's own `--user`...): secrets from environment
 * variables or files only, never a value in a flag or a file.
 */
export function authFields(
  pathPrefix: string,
  flagPrefix: string,
  what: string,
  group: FieldGroup,
): ScenarioField[] {
  const f = (name: string, describe: string): ScenarioField => ({
    path: `${pathPrefix}${name}`,
    flag: `${flagPrefix}${name.replace(/_/g, '-')}`,
    group,
    type: 'string',
    describe,
  });
  return [
    f('user', `${what} user (password from -env/-file)`),
    f('password_env', `environment variable holding the ${what} password`),
    f('password_file', `file holding the ${what} password`),
    f('token_env', `environment variable holding the ${what} token`),
    f('token_file', `file holding the ${what} token`),
    f('nkey_file', 'file holding an nkey seed (SU...)'),
    f('creds', `${what} .creds file (JWT and seed)`),
  ];
}

/** The built-in router's knobs: `builtin.*` here, `--baseline-builtin-*` in compare. */
export function knobFields(
  pathPrefix: string,
  flagPrefix: string,
  who = 'built-in router',
): ScenarioField[] {
  const group: FieldGroup = 'Built-in router (--target builtin)';
  const f = (
    name: string,
    type: FieldType,
    describe: string,
    extra: Partial<ScenarioField> = {},
  ): ScenarioField => ({
    path: `${pathPrefix}${name}`,
    flag: `${flagPrefix}${name.replace(/_/g, '-')}`,
    group,
    type,
    describe: `${who}: ${describe}`,
    ...extra,
  });
  return [
    f('workers', 'integer', 'requests served at once (0: unlimited)', {
      default: String(DEFAULT_KNOBS.workers),
      schema: { minimum: 0 },
    }),
    f('service_time', 'duration', 'mean service time', {
      details: 'Capacity is workers / service time',
      default: `${DEFAULT_KNOBS.serviceTimeMs}ms`,
    }),
    f('service_dist', 'string', 'service time distribution', {
      default: DEFAULT_KNOBS.serviceDist,
      choices: ['fixed', 'uniform', 'exp', 'lognormal'],
    }),
    f('queue_limit', 'integer', 'queue length before overload', {
      details: 'Requests beyond it are answered 503 `overloaded`',
      default: String(DEFAULT_KNOBS.queueLimit),
      schema: { minimum: 0 },
    }),
    f('error_rate', 'number', 'injected error fraction', {
      details: 'Answered 500 `internal_error`',
      default: String(DEFAULT_KNOBS.errorRate),
      schema: { minimum: 0, maximum: 1 },
    }),
    f('stall_every', 'duration', 'stall period', {
      details: 'It blocks its event loop for stall_for every stall_every',
    }),
    f('stall_for', 'duration', 'stall length'),
    f('mem_growth_bytes', 'integer', 'bytes leaked per request', {
      default: String(DEFAULT_KNOBS.memGrowthBytes),
      schema: { minimum: 0 },
    }),
    { ...f('seed', 'integer', 'seed of its random draws'), flag: undefined },
  ];
}

/** The table, in `--help` order within each group. */
export function scenarioFields(): ScenarioField[] {
  const load: FieldGroup = 'Target and load';
  const req: FieldGroup = 'Requests';
  const out: FieldGroup = 'Outputs';
  const http: FieldGroup = 'HTTP client and TLS';
  const nats: FieldGroup = 'NATS';
  const probes: FieldGroup = 'Target probes and faults';
  const agents: FieldGroup = 'Generator agents';
  const s = (
    path: string,
    group: FieldGroup,
    type: FieldType,
    describe: string,
    extra: Partial<ScenarioField> = {},
  ): ScenarioField => ({
    path,
    flag: path.replace(/[._]/g, '-'),
    group,
    type,
    describe,
    ...extra,
  });
  const fileOnly = { flag: undefined };
  return [
    s('$schema', load, 'string', 'the JSON Schema this file follows (for editors)', fileOnly),
    s('target', load, 'string', 'http(s)://host:port/path, nats://host:port or builtin', {
      schema: { minLength: 1 },
    }),
    s('name', load, 'string', 'scenario name recorded in the result', {
      schema: { minLength: 1 },
    }),
    s('description', load, 'string', 'what the scenario is for (kept in the file only)', fileOnly),
    s('rate', load, 'number', 'offered requests per second (open loop)', {
      details: 'At most 1,000,000 per thread (threads)',
      schema: { exclusiveMinimum: 0 },
    }),
    s(
      'stages',
      load,
      'string',
      'ramping open loop instead of rate: DURATION:TARGET,... (30s:100,1m:1000,30s:0), k6 ramping-arrival-rate semantics (the rate moves linearly from the previous target, start_rate first)',
      {
        schema: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['duration', 'target'],
            additionalProperties: false,
            properties: {
              duration: { $ref: '#/definitions/duration' },
              target: { type: 'number', minimum: 0 },
            },
          },
        },
        fromFlag: parseStages,
        help: 'ramping open loop instead of --rate: DURATION:TARGET,... (30s:100,1m:0)',
        docType: 'list of {duration, target}',
      },
    ),
    s(
      'start_rate',
      load,
      'number',
      'with stages: the rate the first stage ramps from (and the warm-up rate)',
      { default: '0', schema: { minimum: 0 } },
    ),
    s('duration', load, 'duration', 'measured length', { default: '30s' }),
    s('warmup', load, 'duration', 'warm-up before measuring, excluded from statistics', {
      details: 'Its counts are recorded apart, under `warmup`',
      default: '5s',
    }),
    s('arrival', load, 'string', 'arrival process', {
      details: 'Poisson arrivals are drawn from `seed`',
      default: 'constant',
      choices: ['constant', 'poisson'],
    }),
    s('concurrency', load, 'integer', 'closed-loop mode: N requests always in flight', {
      details: 'Instead of rate; a closed loop is not corrected for coordinated omission',
      schema: { minimum: 1 },
    }),
    s('threads', load, 'integer', 'generator worker threads', {
      details: 'The schedule is split between them; histograms and counters merge exactly',
      default: '1',
      schema: { minimum: 1, maximum: 64 },
    }),
    s('seed', load, 'integer', 'seed of Poisson arrivals and request mixes', { default: '1' }),
    s('repeat', load, 'integer', 'run the scenario N times; per-run values go under samples', {
      schema: { minimum: 1, maximum: 100 },
    }),

    s('method', req, 'string', 'HTTP method', {
      default: 'POST with a body, GET without',
      schema: { pattern: '^[A-Z]+$' },
    }),
    s('headers', req, 'string', 'request header "Name: value" (repeatable, templated)', {
      details: 'Values that look like credentials are masked in results',
      flag: 'header',
      flagType: 'strings',
      schema: STRING_MAP,
      fromFlag: parseHeaders,
      docType: 'object of strings',
    }),
    s('body', req, 'string', 'request body template; the flag also takes @file', {
      details:
        'Templates: {{request_id}}, {{seq}}, {{tenant}}, {{timestamp_ms}}, {{timestamp}}, {{uuid}}, {{data.FIELD}}',
      aliases: ['payload'],
    }),
    s('body_file', req, 'string', 'file holding the body, relative to the scenario', fileOnly),
    s('tenants', req, 'strings', 'tenants rotated by {{tenant}} (flag: comma-separated)', {
      default: 'tenant-a..d',
      flagType: 'string',
      schema: { items: { type: 'string', minLength: 1 }, minItems: 1 },
      fromFlag: parseList,
    }),
    s(
      'requests',
      req,
      'string',
      'a weighted mix of request kinds, chosen per request by a hash of the seed and the request number; HTTP: method, path (relative to the target origin), headers, body | body_file; NATS: subject, headers, payload | payload_file. Templated like the body.',
      {
        ...fileOnly,
        docType: 'list of request kinds',
        schema: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 64, pattern: NAME_PATTERN },
              weight: {
                type: 'number',
                exclusiveMinimum: 0,
                description: 'relative share; default 1',
              },
              method: { type: 'string', minLength: 1 },
              path: { type: 'string', pattern: '^/' },
              headers: STRING_MAP,
              body: { type: 'string' },
              body_file: { type: 'string' },
              subject: { type: 'string', minLength: 1 },
              payload: { type: 'string' },
              payload_file: { type: 'string' },
            },
          },
        },
      },
    ),
    s(
      'data.file',
      req,
      'string',
      'data file (CSV with a header row, or JSONL): each request takes a row, templates see {{data.FIELD}}',
      {
        flag: 'data',
        schema: { minLength: 1 },
        help: 'data file (CSV or JSONL), a row per request',
      },
    ),
    s('data.order', req, 'string', 'rows in file order, or shuffled within a window of 8192 rows', {
      default: 'sequential',
      choices: ['sequential', 'random'],
    }),
    s('data.on_end', req, 'string', 'at the end of the file start again, or send no more', {
      default: 'wrap',
      choices: ['wrap', 'stop'],
    }),
    s('timeout', req, 'duration', 'per-request timeout, from the actual send', { default: '10s' }),
    s('reply_check', req, 'boolean', 'read {"ok":false,"error":{"code":C}} replies as errors', {
      details: 'Such an error is of class `app:C`',
      default: 'on for builtin',
    }),
    s('overload_codes', req, 'strings', 'reply error codes that mean overload (repeatable)', {
      details: 'They also count as backpressure',
      default: 'overloaded',
      flag: 'overload-code',
    }),

    s('out', out, 'string', 'result JSON path (written atomically)', {
      default: 'reports/run.json',
    }),
    s('save_baseline', out, 'string', 'also save the result as a baseline (only if valid)', {
      details:
        'Only when the run completed and is valid: never over a good baseline from a bad run',
    }),
    s('html', out, 'string', 'write a self-contained HTML report with charts'),
    s('hgrm', out, 'string', 'write the latency percentile spectrum (.hgrm)'),
    s('hist_log', out, 'string', 'write per-second histograms as an HdrHistogram interval log'),
    s('metrics_listen', out, 'string', 'serve live Prometheus metrics at HOST:PORT/metrics'),
    s('metrics_linger', out, 'duration', 'keep serving the final values this long', {
      default: '5s',
    }),

    s('connections', http, 'integer', 'keep-alive connections (split across threads)', {
      details:
        'A request never waits inside the client: when every connection is busy it waits in the schedule, counted as backpressure `connections_busy`, its wait in its latency',
      default: '32',
      schema: { minimum: 1, maximum: 100000 },
    }),
    s('http_engine', http, 'string', 'HTTP client: fast (own HTTP/1.1) or undici', {
      details:
        "`fast` costs about a third of what `undici`, Node's general-purpose client, does per request",
      default: 'fast',
      choices: ['fast', 'undici'],
    }),
    s('max_in_flight', http, 'integer', 'client-side bound on requests in flight', {
      details:
        'A request that must wait counts as backpressure (`client_in_flight_limit`) and the wait stays in its latency',
      default: '10000',
      schema: { minimum: 1 },
    }),
    s('max_send_lag', http, 'duration', 'send lag p99 beyond which the generator is saturated', {
      default: '10ms',
    }),
    s('tls.ca', http, 'string', 'CA certificate file for HTTPS'),
    s('tls.cert', http, 'string', 'client certificate file (mTLS)'),
    s('tls.key', http, 'string', 'client key file (mTLS)'),
    s('tls.insecure', http, 'boolean', 'do not verify the server certificate', {
      flag: 'insecure',
    }),

    s('transport', nats, 'string', 'with target builtin: drive it over http or nats', {
      choices: ['http', 'nats'],
    }),
    s(
      'mode',
      nats,
      'string',
      'NATS: request/reply, publish (acknowledged by flush), JetStream publish (PubAck) or consume (a JetStream pull consumer)',
      {
        default: 'request',
        choices: ['request', 'publish', 'jetstream', 'consume'],
        help: 'NATS mode; default request',
      },
    ),
    s('subject', nats, 'string', 'NATS subject', {
      default: DECIDE_SUBJECT,
      schema: { minLength: 1 },
    }),
    s(
      'subjects',
      nats,
      'integer',
      'NATS: spread over N subjects, SUBJECT.0 .. SUBJECT.N-1 (nats bench --multisubject)',
      { schema: { minimum: 1, maximum: 1000000 } },
    ),
    s('payload_size', nats, 'integer', 'NATS: a payload of N random bytes instead of the body', {
      schema: { minimum: 0, maximum: 67108864 },
    }),
    s('traceparent', nats, 'boolean', 'NATS: inject a fresh W3C traceparent header per request'),
    s('e2e', nats, 'boolean', 'NATS publish: latency until our own subscriber receives each'),
    s('stream', nats, 'string', 'consume: the stream (default: the one capturing the subject)', {
      schema: { minLength: 1 },
    }),
    s(
      'consumer',
      nats,
      'string',
      'consume: an existing durable pull consumer (default: one made for the run)',
      { schema: { minLength: 1 } },
    ),
    s('deliver', nats, 'string', 'consume: from the first message (all) or only new ones', {
      default: 'all',
      choices: ['all', 'new'],
    }),
    s('nats.url', nats, 'string', 'with target builtin over NATS: use this server'),
    ...authFields('nats.', 'nats-', 'NATS', nats),

    s('probe_pid', probes, 'integer', "sample this process's RSS and CPU (Linux /proc)", {
      schema: { minimum: 1 },
    }),
    s('probe_prom', probes, 'string', 'sample a Prometheus endpoint (memory and CPU)'),
    s('probe_prom_mem', probes, 'string', 'memory metric', {
      default: 'process_resident_memory_bytes',
    }),
    s('probe_prom_cpu', probes, 'string', 'CPU seconds counter', {
      default: 'process_cpu_seconds_total',
    }),
    s('probe_nats_varz', probes, 'string', 'sample a nats-server /varz (mem, cpu, slow consumers)'),
    s(
      'leak_threshold',
      probes,
      'number',
      'MB/min of target memory growth that suggests a leak (soak)',
      { default: '10', schema: { minimum: 0 } },
    ),
    s('fault_at', probes, 'duration', 'run the fault command this long after warm-up'),
    s('fault_cmd', probes, 'string', 'fault command (/bin/sh); {pid} is the target pid'),
    s('recover_at', probes, 'duration', 'run the recovery command this long after warm-up'),
    s('recover_cmd', probes, 'string', 'recovery command (e.g. "kill -CONT {pid}")'),
    s(
      'recovery_factor',
      probes,
      'number',
      'recovered when the slowest answers are within this factor of normal',
      { default: '2', schema: { exclusiveMinimum: 1 } },
    ),

    s('agents.count', agents, 'string', 'split the run over N generator agents (or all found)', {
      flag: 'agents',
      schema: { oneOf: [{ type: 'integer', minimum: 1 }, { const: 'all' }] },
      fromFlag: parseAgentCount,
      docType: 'integer or `all`',
    }),
    s('agents.nats', agents, 'string', 'NATS URL(s) of the bus the agents serve on', {
      flag: 'nats',
    }),
    s('agents.local', agents, 'integer', 'start N agents and an authenticated nats-server here', {
      flag: 'local-agents',
      schema: { minimum: 1, maximum: 64 },
    }),
    s('agents.wait', agents, 'duration', 'how long to look for agents', {
      default: '10s',
      flag: 'agents-wait',
      schema: { type: ['string', 'number'] },
    }),
    ...authFields('agents.', 'agents-', 'agent bus', agents),

    ...knobFields('builtin.', 'builtin-'),
  ];
}
