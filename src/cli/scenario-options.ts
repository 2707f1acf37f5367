import { ToolError } from '../errors.js';
import { readScenarioFile, resolveScenario, type ScenarioOverrides } from '../scenario/resolve.js';
import type { Scenario } from '../scenario/scenario.js';
import { anyDefined } from '../util/defined.js';
import { busAuthFields } from './bus-options.js';
import { builtinFields } from './builtin-options.js';

import type { ScenarioArgv } from './scenario-flags.js';

/**
 * The one mapping from the scenario flags (scenario-flags) to scenario fields (kebab-case
 * flag -> snake_case field), so a flag means the same everywhere and overrides the file.
 */

export { withScenarioOptions } from './scenario-flags.js';

export function overridesFrom(argv: ScenarioArgv): ScenarioOverrides {
  const body = argv.body ?? argv.payload;
  const builtin = builtinFields(argv, 'builtin-');

  return {
    target: argv.target,
    name: argv.name,
    rate: argv.rate,
    stages: argv.stages !== undefined ? parseStages(argv.stages) : undefined,
    start_rate: argv['start-rate'],
    duration: argv.duration,
    warmup: argv.warmup,
    arrival: argv.arrival,
    connections: argv.connections,
    http_engine: argv['http-engine'],
    max_in_flight: argv['max-in-flight'],
    timeout: argv.timeout,
    method: argv.method,
    headers: argv.header ? parseHeaders(argv.header) : undefined,
    body: body !== undefined && !body.startsWith('@') ? body : undefined,
    body_at: body?.startsWith('@') ? body.slice(1) : undefined,
    tenants: argv.tenants
      ?.split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    concurrency: argv.concurrency,
    data: dataFlags(argv.data, argv['data-order'], argv['data-on-end']),
    threads: argv.threads,
    reply_check: argv['reply-check'],
    overload_codes: argv['overload-code'],
    tls:
      argv['tls-ca'] || argv['tls-cert'] || argv['tls-key'] || argv.insecure !== undefined
        ? {
            ca: argv['tls-ca'],
            cert: argv['tls-cert'],
            key: argv['tls-key'],
            insecure: argv.insecure,
          }
        : undefined,
    max_send_lag: argv['max-send-lag'],
    seed: argv.seed,
    repeat: argv.repeat,
    out: argv.out,
    save_baseline: argv['save-baseline'],
    hgrm: argv.hgrm,
    html: argv.html,
    hist_log: argv['hist-log'],
    metrics_listen: argv['metrics-listen'],
    metrics_linger: argv['metrics-linger'],
    builtin: anyDefined(builtin) ? builtin : undefined,
    transport: argv.transport,
    probe_pid: argv['probe-pid'],
    probe_prom: argv['probe-prom'],
    probe_prom_mem: argv['probe-prom-mem'],
    probe_prom_cpu: argv['probe-prom-cpu'],
    probe_nats_varz: argv['probe-nats-varz'],
    leak_threshold: argv['leak-threshold'],
    fault_at: argv['fault-at'],
    fault_cmd: argv['fault-cmd'],
    recover_at: argv['recover-at'],
    recover_cmd: argv['recover-cmd'],
    recovery_factor: argv['recovery-factor'],
    mode: argv.mode,
    subject: argv.subject,
    subjects: argv.subjects,
    payload_size: argv['payload-size'],
    stream: argv.stream,
    consumer: argv.consumer,
    deliver: argv.deliver,
    traceparent: argv.traceparent,
    e2e: argv.e2e,
    nats: natsFlags(argv),
    agents: agentsFlags(argv),
  };
}

/** The scenario file (if any), then the flags, resolved and validated. */
export async function scenarioFromArgv(
  argv: ScenarioArgv,
  extra: ScenarioOverrides = {},
): Promise<Scenario> {
  const file = argv.scenario ? await readScenarioFile(argv.scenario) : {};
  return resolveScenario(file, { ...overridesFrom(argv), ...extra });
}

/** `30s:100,1m:1000,30s:0` -> [{duration: '30s', target: 100}, ...]. */
export function parseStages(text: string): { duration: string; target: number }[] {
  return text.split(',').map((part) => {
    const m = /^\s*([^:\s]+)\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!m)
      throw new ToolError(
        'E_USAGE',
        `--stages "${part.trim()}": expected DURATION:TARGET, e.g. 30s:100,1m:1000`,
      );
    return { duration: m[1]!, target: Number(m[2]) };
  });
}

function parseHeaders(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of list) {
    const i = h.indexOf(':');
    if (i <= 0)
      throw new ToolError('E_USAGE', `--header "${h.split(':')[0]}": expected "Name: value"`);
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

function natsFlags(a: Record<string, unknown>): ScenarioOverrides['nats'] {
  const n = { url: a['nats-url'] as string | undefined, ...busAuthFields(a, 'nats-') };
  return anyDefined(n) ? n : undefined;
}

function agentsFlags(a: Record<string, unknown>): ScenarioOverrides['agents'] {
  const count = a.agents as string | undefined;
  const n = {
    count: count === undefined ? undefined : count === 'all' ? ('all' as const) : agentCount(count),
    nats: a.nats as string | undefined,
    local: a['local-agents'] as number | undefined,
    wait: a['agents-wait'] as string | undefined,
    ...busAuthFields(a, 'agents-'),
  };
  return anyDefined(n) ? n : undefined;
}

function agentCount(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new ToolError('E_USAGE', `--agents "${text}": expected a number of agents or "all"`);
  return Number(text);
}

function dataFlags(
  file: string | undefined,
  order: 'sequential' | 'random' | undefined,
  onEnd: 'wrap' | 'stop' | undefined,
): ScenarioOverrides['data'] {
  const d = { file, order, on_end: onEnd };
  return anyDefined(d) ? (d as ScenarioOverrides['data']) : undefined;
}
