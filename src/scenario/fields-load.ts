import { parseHeaders, parseList, parseStages } from './flag-text.js';
import { FILE_ONLY, field, type FieldGroup } from './field-kit.js';

const NAME_PATTERN = '^[A-Za-z0-9_.-]+$';
const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } };

/** The scenario fields of the target, the load and the requests (part of the one table). */
export function loadAndRequestFields() {
  const load: FieldGroup = 'Target and load';
  const req: FieldGroup = 'Requests';
  return [
    field('$schema', load, 'string', 'the JSON Schema this file follows (for editors)', FILE_ONLY),
    field('target', load, 'string', 'http(s)://host:port/path, nats://host:port or builtin', {
      schema: { minLength: 1 },
    }),
    field('name', load, 'string', 'scenario name recorded in the result', {
      schema: { minLength: 1 },
    }),
    field(
      'description',
      load,
      'string',
      'what the scenario is for (kept in the file only)',
      FILE_ONLY,
    ),
    field('rate', load, 'number', 'offered requests per second (open loop)', {
      details: 'At most 1,000,000 per thread (threads)',
      schema: { exclusiveMinimum: 0 },
    }),
    field(
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
    field(
      'start_rate',
      load,
      'number',
      'with stages: the rate the first stage ramps from (and the warm-up rate)',
      { default: '0', schema: { minimum: 0 } },
    ),
    field('duration', load, 'duration', 'measured length', { default: '30s' }),
    field('warmup', load, 'duration', 'warm-up before measuring, excluded from statistics', {
      details: 'Its counts are recorded apart, under `warmup`',
      default: '5s',
    }),
    field('arrival', load, 'string', 'arrival process', {
      details: 'Poisson arrivals are drawn from `seed`',
      default: 'constant',
      choices: ['constant', 'poisson'],
    }),
    field('concurrency', load, 'integer', 'closed-loop mode: N requests always in flight', {
      details: 'Instead of rate; a closed loop is not corrected for coordinated omission',
      schema: { minimum: 1 },
    }),
    field('threads', load, 'integer', 'generator worker threads', {
      details: 'The schedule is split between them; histograms and counters merge exactly',
      default: '1',
      schema: { minimum: 1, maximum: 64 },
    }),
    field('seed', load, 'integer', 'seed of Poisson arrivals and request mixes', { default: '1' }),
    field('repeat', load, 'integer', 'run the scenario N times; per-run values go under samples', {
      schema: { minimum: 1, maximum: 100 },
    }),

    field('method', req, 'string', 'HTTP method', {
      default: 'POST with a body, GET without',
      schema: { pattern: '^[A-Z]+$' },
    }),
    field('headers', req, 'string', 'request header "Name: value" (repeatable, templated)', {
      details: 'Values that look like credentials are masked in results',
      flag: 'header',
      flagType: 'strings',
      schema: STRING_MAP,
      fromFlag: parseHeaders,
      docType: 'object of strings',
    }),
    field('body', req, 'string', 'request body template; the flag also takes @file', {
      details:
        'Templates: {{request_id}}, {{seq}}, {{tenant}}, {{timestamp_ms}}, {{timestamp}}, {{uuid}}, {{data.FIELD}}',
      aliases: ['payload'],
    }),
    field('body_file', req, 'string', 'file holding the body, relative to the scenario', FILE_ONLY),
    field('tenants', req, 'strings', 'tenants rotated by {{tenant}} (flag: comma-separated)', {
      default: 'tenant-a..d',
      flagType: 'string',
      schema: { items: { type: 'string', minLength: 1 }, minItems: 1 },
      fromFlag: parseList,
    }),
    field(
      'requests',
      req,
      'string',
      'a weighted mix of request kinds, chosen per request by a hash of the seed and the request number; HTTP: method, path (relative to the target origin), headers, body | body_file; NATS: subject, headers, payload | payload_file. Templated like the body.',
      {
        ...FILE_ONLY,
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
    field(
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
    field(
      'data.order',
      req,
      'string',
      'rows in file order, or shuffled within a window of 8192 rows',
      {
        default: 'sequential',
        choices: ['sequential', 'random'],
      },
    ),
    field('data.on_end', req, 'string', 'at the end of the file start again, or send no more', {
      default: 'wrap',
      choices: ['wrap', 'stop'],
    }),
    field('timeout', req, 'duration', 'per-request timeout, from the actual send', {
      default: '10s',
    }),
    field('reply_check', req, 'boolean', 'read {"ok":false,"error":{"code":C}} replies as errors', {
      details: 'Such an error is of class `app:C`',
      default: 'on for builtin',
    }),
    field('overload_codes', req, 'strings', 'reply error codes that mean overload (repeatable)', {
      details: 'They also count as backpressure',
      default: 'overloaded',
      flag: 'overload-code',
    }),
  ];
}
