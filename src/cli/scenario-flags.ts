import type { Argv } from 'yargs';
import { busAuthOptions } from './bus-options.js';
import { builtinOptions } from './builtin-options.js';

/**
 * Every scenario option as a CLI flag, shared by bench-router, perf-gate's runs and
 * capacity-sweep (kebab-case flag -> snake_case scenario field, read back in
 * scenario-options), shown in --help by concern, most used first.
 */
const GROUPS: [string, string[]][] = [
  [
    'Target and load:',
    [
      'target',
      'scenario',
      'name',
      'rate',
      'stages',
      'start-rate',
      'duration',
      'warmup',
      'arrival',
      'concurrency',
      'threads',
      'seed',
      'repeat',
    ],
  ],
  [
    'Requests:',
    [
      'method',
      'header',
      'body',
      'payload',
      'tenants',
      'data',
      'data-order',
      'data-on-end',
      'timeout',
      'reply-check',
      'overload-code',
    ],
  ],
  [
    'Outputs:',
    [
      'out',
      'save-baseline',
      'html',
      'hgrm',
      'hist-log',
      'metrics-listen',
      'metrics-linger',
      'quiet',
    ],
  ],
  [
    'HTTP client and TLS:',
    [
      'connections',
      'http-engine',
      'max-in-flight',
      'max-send-lag',
      'tls-ca',
      'tls-cert',
      'tls-key',
      'insecure',
    ],
  ],
  [
    'NATS:',
    [
      'transport',
      'mode',
      'subject',
      'subjects',
      'payload-size',
      'traceparent',
      'e2e',
      'nats-url',
      'stream',
      'consumer',
      'deliver',
      ...Object.keys(busAuthOptions('nats-', 'NATS')),
    ],
  ],
  [
    'Target probes and faults:',
    [
      'probe-pid',
      'probe-prom',
      'probe-prom-mem',
      'probe-prom-cpu',
      'probe-nats-varz',
      'leak-threshold',
      'fault-at',
      'fault-cmd',
      'recover-at',
      'recover-cmd',
      'recovery-factor',
    ],
  ],
  [
    'Generator agents:',
    [
      'agents',
      'nats',
      'local-agents',
      'agents-wait',
      ...Object.keys(busAuthOptions('agents-', 'agent bus')),
    ],
  ],
  ['Built-in router (--target builtin):', Object.keys(builtinOptions('builtin-'))],
];

const DUR = 'duration, e.g. 500ms, 10s, 2m';

export function withScenarioOptions<T>(y: Argv<T>) {
  // Declared from one table; their values are read back by name (busAuthFields), so they are
  // kept out of the typed chain.
  const withAuth = y.options({
    ...busAuthOptions('nats-', 'NATS'),
    ...busAuthOptions('agents-', 'agent bus'),
    ...builtinOptions('builtin-'),
  }) as unknown as Argv<T>;
  const withFlags = withAuth
    .option('scenario', {
      type: 'string',
      describe: 'scenario file (JSON or YAML); flags override it',
    })
    .option('target', { type: 'string', describe: 'http(s)://host:port/path or builtin' })
    .option('name', { type: 'string', describe: 'scenario name recorded in the result' })
    .option('rate', { type: 'number', describe: 'offered requests per second (open loop)' })
    .option('stages', {
      type: 'string',
      describe:
        'ramping open loop instead of --rate: DURATION:TARGET,... (30s:100,1m:1000,30s:0), k6 semantics',
    })
    .option('start-rate', {
      type: 'number',
      describe:
        'with --stages: the rate the first stage ramps from (and the warm-up rate); default 0',
    })
    .option('duration', { type: 'string', describe: `measured length (${DUR}); default 30s` })
    .option('warmup', {
      type: 'string',
      describe: `warm-up before measuring, excluded from statistics; default 5s`,
    })
    .option('arrival', {
      choices: ['constant', 'poisson'] as const,
      describe: 'arrival process; default constant',
    })
    .option('connections', { type: 'number', describe: 'keep-alive connections; default 32' })
    .option('http-engine', {
      choices: ['fast', 'undici'] as const,
      describe: 'HTTP client: fast (own HTTP/1.1) or undici; default fast',
    })
    .option('max-in-flight', {
      type: 'number',
      describe: 'client-side bound on requests in flight; default 10000',
    })
    .option('timeout', { type: 'string', describe: `per-request timeout (${DUR}); default 10s` })
    .option('method', {
      type: 'string',
      describe: 'HTTP method; default POST with a body, GET without',
    })
    .option('header', {
      type: 'string',
      array: true,
      describe: 'request header "Name: value" (repeatable, templated)',
    })
    .option('body', { type: 'string', describe: 'request body template, or @file' })
    .option('payload', { type: 'string', describe: 'alias of --body' })
    .option('tenants', { type: 'string', describe: 'comma-separated tenants for {{tenant}}' })
    .option('data', {
      type: 'string',
      describe:
        'data file (CSV with a header row, or JSONL): each request takes a row, templates see {{data.FIELD}}',
    })
    .option('data-order', {
      choices: ['sequential', 'random'] as const,
      describe: 'with --data: rows in file order, or shuffled in a window; default sequential',
    })
    .option('data-on-end', {
      choices: ['wrap', 'stop'] as const,
      describe: 'with --data: at the end of the file start again, or send no more; default wrap',
    })
    .option('concurrency', {
      type: 'number',
      describe: 'closed-loop mode: N requests always in flight',
    })
    .option('threads', { type: 'number', describe: 'generator worker threads; default 1' })
    .option('reply-check', {
      type: 'boolean',
      describe: 'read {"ok":false,"error":{"code":C}} replies as errors',
    })
    .option('overload-code', {
      type: 'string',
      array: true,
      describe: 'reply error codes that mean overload',
    })
    .option('tls-ca', { type: 'string', describe: 'CA certificate file for HTTPS' })
    .option('tls-cert', { type: 'string', describe: 'client certificate file (mTLS)' })
    .option('tls-key', { type: 'string', describe: 'client key file (mTLS)' })
    .option('insecure', { type: 'boolean', describe: 'do not verify the server certificate' })
    .option('max-send-lag', {
      type: 'string',
      describe: 'send lag p99 beyond which the generator is saturated; default 10ms',
    })
    .option('seed', { type: 'number', describe: 'seed for Poisson arrivals' })
    .option('repeat', {
      type: 'number',
      describe: 'run the scenario N times; per-run values go under samples',
    })
    .option('out', { type: 'string', describe: 'result JSON path; default reports/run.json' })
    .option('save-baseline', {
      type: 'string',
      describe: 'also save the result as a baseline (only if the run is valid)',
    })
    .option('hgrm', { type: 'string', describe: 'write the latency percentile spectrum (.hgrm)' })
    .option('transport', {
      choices: ['http', 'nats'] as const,
      describe: 'with --target builtin: drive it over http or nats',
    })
    .option('mode', {
      choices: ['request', 'publish', 'jetstream', 'consume'] as const,
      describe: 'NATS mode; default request',
    })
    .option('stream', {
      type: 'string',
      describe: 'NATS consume: the stream (default: the one capturing --subject)',
    })
    .option('consumer', {
      type: 'string',
      describe: 'NATS consume: an existing durable pull consumer (default: one made for the run)',
    })
    .option('deliver', {
      choices: ['all', 'new'] as const,
      describe: 'NATS consume: from the first message (all, default) or only new ones',
    })
    .option('subject', {
      type: 'string',
      describe: 'NATS subject; default beamline.router.v1.decide',
    })
    .option('subjects', {
      type: 'number',
      describe:
        'NATS: spread over N subjects, SUBJECT.0 .. SUBJECT.N-1 (like nats bench --multisubject)',
    })
    .option('payload-size', {
      type: 'number',
      describe: 'NATS: a payload of N random bytes instead of a templated body',
    })
    .option('traceparent', {
      type: 'boolean',
      describe: 'NATS: inject a W3C traceparent header per request',
    })
    .option('e2e', {
      type: 'boolean',
      describe: 'NATS publish: latency until our own subscriber receives each message',
    })
    .option('nats-url', {
      type: 'string',
      describe: 'with --target builtin --transport nats: use this server',
    })
    .option('agents', {
      type: 'string',
      describe: 'split the run over N generator agents (or all found) on the --nats bus',
    })
    .option('nats', { type: 'string', describe: 'with --agents: the NATS URL the agents serve on' })
    .option('local-agents', {
      type: 'number',
      describe: 'start N agent processes and an authenticated nats-server here, and use them',
    })
    .option('agents-wait', {
      type: 'string',
      describe: 'how long to look for agents; default 10s',
    })
    .option('probe-pid', { type: 'number', describe: "sample this process's RSS and CPU" })
    .option('probe-prom', {
      type: 'string',
      describe: 'sample a Prometheus endpoint (memory and CPU)',
    })
    .option('probe-prom-mem', {
      type: 'string',
      describe: 'memory metric; default process_resident_memory_bytes',
    })
    .option('probe-prom-cpu', {
      type: 'string',
      describe: 'CPU seconds counter; default process_cpu_seconds_total',
    })
    .option('fault-at', {
      type: 'string',
      describe: 'run --fault-cmd this long after warm-up (e.g. 30s)',
    })
    .option('fault-cmd', {
      type: 'string',
      describe: 'fault command; {pid} is the target pid (e.g. "kill -STOP {pid}")',
    })
    .option('recover-at', { type: 'string', describe: 'run --recover-cmd this long after warm-up' })
    .option('recover-cmd', {
      type: 'string',
      describe: 'recovery command (e.g. "kill -CONT {pid}")',
    })
    .option('recovery-factor', {
      type: 'number',
      describe: 'recovered when the slowest answers are within this factor of normal; default 2',
    })
    .option('leak-threshold', {
      type: 'number',
      describe: 'MB/min of target memory growth above which a leak is suspected (soak); default 10',
    })
    .option('probe-nats-varz', {
      type: 'string',
      describe: 'sample a nats-server /varz (mem, cpu, slow consumers)',
    })
    .option('html', { type: 'string', describe: 'write a self-contained HTML report with charts' })
    .option('metrics-listen', {
      type: 'string',
      describe: 'serve live Prometheus metrics at HOST:PORT/metrics during the run',
    })
    .option('metrics-linger', {
      type: 'string',
      describe: 'with --metrics-listen: keep serving the final values this long (default 5s)',
    })
    .option('hist-log', {
      type: 'string',
      describe: 'write per-second histograms in the HdrHistogram interval log format',
    })
    .option('quiet', { type: 'boolean', default: false, describe: 'no progress or summary' });
  // yargs groups the help by these headings, in this order.
  for (const [heading, keys] of GROUPS) withFlags.group(keys, heading);
  return withFlags;
}

export type ScenarioArgv = Awaited<ReturnType<ReturnType<typeof withScenarioOptions>['parse']>>;
