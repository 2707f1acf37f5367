import { readInputText } from '../util/read-input.js';
import { dirname, resolve as resolvePath } from 'node:path';
import { ToolError, oneLine } from '../errors.js';
import { knobsFromFields } from '../targets/builtin-router/knob-args.js';
import { stripUndefined } from '../util/defined.js';
import { parseDuration } from '../util/duration.js';
import { validateOrThrow } from '../util/schema.js';
import { scenarioFields } from './fields.js';
import {
  DECIDE_TEMPLATE,
  DEFAULT_TENANTS,
  type Scenario,
  type ScenarioFile,
  type ScenarioOverrides,
} from './scenario.js';
import { DECIDE_SUBJECT } from '../targets/builtin-router/addresses.js';
import { peakRate, profileFromStages } from '../schedule/profile.js';
import { agentsOf, natsAuth } from './agents-auth.js';
import { dataFieldsOf, dataOf, refuseForConsume, requestKinds } from './workload.js';

export { natsAuth } from './agents-auth.js';
export { dataFieldsOf } from './workload.js';

/** A field's path as the flag that set it (`rate` -> `--rate`), for errors in flag values. */
function flagOfPath(path: string): string {
  const f = scenarioFields()
    .filter((x) => x.flag && (path === x.path || path.startsWith(`${x.path}.`)))
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (!f) return path;
  const rest = path.slice(f.path.length + 1);
  return `--${f.flag}${rest ? ` (${rest})` : ''}`;
}

/**
 * Above this a rate is not a load test but a typo (10^12 once ran for ever): one thread
 * sustains ~100k req/s here, and slots it cannot send are counted one by one at the end.
 */
export const MAX_RATE_PER_THREAD = 1_000_000;

/**
 * File, then flags, then defaults: each field is validated where it came from (the file
 * against the published schema, naming the field; flags by name), so an error says exactly
 * what to fix.
 */
export async function readScenarioFile(path: string): Promise<ScenarioFile> {
  const text = await readInputText(path, 'scenario', 'E_SCENARIO_READ');
  let data: unknown;
  const yaml = /\.ya?ml$/i.test(path);
  // The YAML parser loads only for YAML files (start-up CPU of every run).
  const parseYaml = yaml ? (await import('yaml')).parse : undefined;
  try {
    data = parseYaml ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new ToolError(
      'E_SCENARIO_PARSE',
      `scenario ${path}: malformed ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${oneLine(e)}`,
    );
  }
  validateOrThrow('scenario.schema.json', data, `scenario ${path}`, 'E_SCENARIO_INVALID');
  const file = data as ScenarioFile;
  // Files named in a scenario are relative to it, not to where the tool runs.
  const rel = (f: string): string => resolvePath(dirname(path), f);
  if (file.body_file) file.body_file = rel(file.body_file);
  for (const k of file.requests ?? []) {
    if (k.body_file) k.body_file = rel(k.body_file);
    if (k.payload_file) k.payload_file = rel(k.payload_file);
  }
  if (file.data) file.data.file = rel(file.data.file);
  return file;
}

export type { ScenarioOverrides } from './scenario.js';

export async function resolveScenario(
  file: ScenarioFile,
  flags: ScenarioOverrides,
): Promise<Scenario> {
  validateOrThrow(
    'scenario.schema.json',
    stripUndefined({ ...flags, body_at: undefined }),
    '',
    'E_USAGE',
    flagOfPath,
  );
  const m: ScenarioOverrides = { ...file, ...stripUndefined(flags) };
  if (flags.nats || file.nats) m.nats = { ...file.nats, ...stripUndefined(flags.nats ?? {}) };
  if (flags.agents || file.agents)
    m.agents = { ...file.agents, ...stripUndefined(flags.agents ?? {}) };
  if (flags.builtin || file.builtin)
    m.builtin = { ...file.builtin, ...stripUndefined(flags.builtin ?? {}) };
  if (flags.data || file.data)
    m.data = { ...file.data, ...stripUndefined(flags.data ?? {}) } as ScenarioFile['data'];
  if (!m.target)
    throw new ToolError(
      'E_USAGE',
      'missing target: give --target URL|builtin or "target" in the scenario',
    );
  // The load shape (rate, stages or concurrency) given by flags replaces the file's whole
  // shape: flags override the file, and two shapes from the flags are still refused below.
  if (flags.rate !== undefined || flags.concurrency !== undefined || flags.stages !== undefined) {
    m.rate = flags.rate;
    m.concurrency = flags.concurrency;
    m.stages = flags.stages;
  }
  const shapes = [m.rate, m.concurrency, m.stages].filter((x) => x !== undefined).length;
  // Consuming reads what the stream delivers, as fast as it does: there is no rate to offer.
  const consume = m.mode === 'consume';
  if (consume) refuseForConsume(m);
  if (shapes === 0 && !consume) {
    throw new ToolError(
      'E_USAGE',
      'missing rate: give --rate N (open loop), --stages 30s:100,1m:1000 (open loop, ramping) or --concurrency N (closed loop)',
    );
  }
  if (shapes > 1) {
    throw new ToolError(
      'E_USAGE',
      '--rate, --stages and --concurrency exclude each other (one open-loop shape, or closed loop)',
    );
  }
  const threads = m.threads ?? 1;
  const stages = m.stages?.map((st, i) => ({
    durationMs: parseDuration(st.duration, `stages[${i}].duration`),
    target: st.target,
  }));
  if (stages?.some((st) => st.durationMs <= 0))
    throw new ToolError('E_USAGE', 'stages: every stage must last longer than 0');
  if (m.start_rate !== undefined && !stages)
    throw new ToolError('E_USAGE', '--start-rate goes with --stages');
  const fileBoth = file.stages !== undefined && file.duration !== undefined && !flags.stages;
  if (stages && (flags.duration !== undefined || fileBoth))
    throw new ToolError('E_USAGE', 'duration does not go with stages: the stages set the length');
  const peak = stages ? peakRate(profileFromStages(m.start_rate ?? 0, 0, stages)) : m.rate;
  if (stages && !(peak! > 0))
    throw new ToolError('E_USAGE', 'stages: at least one target must be above 0');
  if (peak !== undefined && peak / threads > MAX_RATE_PER_THREAD) {
    throw new ToolError(
      'E_USAGE',
      `--${stages ? 'stages' : 'rate'} ${peak}: one generator thread schedules at most ${MAX_RATE_PER_THREAD.toLocaleString('en')} req/s (and sustains far less); use --threads or generator agents for more`,
    );
  }
  const isBuiltin = m.target === 'builtin';
  const natsTarget = /^(nats|tls):\/\//i.test(m.target);
  if (!isBuiltin && !natsTarget && !/^https?:\/\//i.test(m.target)) {
    throw new ToolError(
      'E_USAGE',
      `--target: "${m.target.split('@').pop()}" must be http://, https://, nats://, tls:// or builtin`,
    );
  }
  const transport = natsTarget ? 'nats' : (m.transport ?? 'http');
  if (natsTarget && m.transport === 'http') {
    throw new ToolError('E_USAGE', '--transport http does not go with a nats:// target');
  }
  // consume without a subject reads the whole stream (--stream names it).
  const subject = m.subject ?? (consume ? '>' : DECIDE_SUBJECT);
  if (consume && m.subject === undefined && m.stream === undefined)
    throw new ToolError('E_USAGE', '--mode consume needs --stream NAME or --subject S');
  let body = m.body;
  // `--body @file` reads the file; the latest source wins between body and body_file.
  const bodyFile = flags.body !== undefined ? undefined : (flags.body_at ?? m.body_file);
  if (flags.body_at) body = undefined;
  if (m.requests && (body !== undefined || bodyFile !== undefined || m.method !== undefined))
    throw new ToolError(
      'E_USAGE',
      '--body/--method do not go with a request mix ("requests"): each kind has its own',
    );
  if (bodyFile !== undefined && body === undefined) body = await readBody(bodyFile);
  const requests = m.requests ? await requestKinds(m.requests, transport, subject) : undefined;
  if (
    !requests &&
    (isBuiltin || (transport === 'nats' && subject === DECIDE_SUBJECT)) &&
    body === undefined
  ) {
    body = DECIDE_TEMPLATE;
  }
  const data = dataOf(m.data);
  const fields = dataFieldsOf({ url: m.target, body, headers: m.headers ?? {}, requests });
  if (fields.length && !data)
    throw new ToolError('E_USAGE', `{{data.${fields[0]}}} needs a data file: give --data FILE`);
  const durationMs = stages
    ? stages.reduce((a, st) => a + st.durationMs, 0)
    : parseDuration(m.duration ?? '30s', 'duration');
  if (durationMs <= 0) throw new ToolError('E_USAGE', 'duration: must be longer than 0');
  const timeoutMs = parseDuration(m.timeout ?? '10s', 'timeout');
  if (timeoutMs <= 0) throw new ToolError('E_USAGE', 'timeout: must be longer than 0');
  return {
    name: m.name ?? (isBuiltin ? `builtin-router-${transport}` : transport),
    target: {
      url: m.target,
      transport,
      builtin: isBuiltin ? knobsFromFields(m.builtin ?? {}) : undefined,
    },
    load: {
      rate: m.rate,
      stages: stages ? { startRate: m.start_rate ?? 0, stages } : undefined,
      concurrency: m.concurrency,
      durationMs,
      warmupMs: parseDuration(m.warmup ?? '5s', 'warmup'),
      arrival: m.arrival ?? 'constant',
      seed: m.seed ?? 1,
      repeat: m.repeat ?? 1,
      threads,
      maxInFlight: m.max_in_flight ?? 10_000,
      maxSendLagMs: parseDuration(m.max_send_lag ?? '10ms', 'max_send_lag'),
    },
    workload: {
      method: m.method ?? (body !== undefined ? 'POST' : 'GET'),
      headers: m.headers ?? {},
      body,
      tenants: m.tenants ?? DEFAULT_TENANTS,
      requests,
      data,
      timeoutMs,
      replyCheck: m.reply_check ?? isBuiltin,
      overloadCodes: m.overload_codes ?? ['overloaded'],
    },
    http: {
      connections: m.connections ?? 32,
      engine: m.http_engine ?? 'fast',
      tls: m.tls ?? {},
    },
    nats:
      transport === 'nats'
        ? {
            mode: m.mode ?? 'request',
            stream: m.stream,
            consumer: m.consumer,
            deliver: m.deliver ?? 'all',
            subject,
            subjects: m.subjects,
            payloadSize: m.payload_size,
            url: m.nats?.url,
            connections: m.nats?.connections ?? 1,
            traceparent: m.traceparent ?? false,
            e2e: m.e2e ?? false,
            auth: await natsAuth(m.nats ?? {}),
            credsFile: m.nats?.creds,
          }
        : undefined,
    probes: {
      ...(m.probe_pid !== undefined ? { pid: m.probe_pid } : {}),
      ...(m.probe_prom
        ? {
            prom: {
              url: m.probe_prom,
              mem: m.probe_prom_mem ?? 'process_resident_memory_bytes',
              cpu: m.probe_prom_cpu ?? 'process_cpu_seconds_total',
            },
          }
        : {}),
      ...(m.probe_nats_varz ? { natsVarz: m.probe_nats_varz } : {}),
      leakThresholdMbPerMin: m.leak_threshold ?? 10,
    },
    fault: faultOf(m),
    agents: await agentsOf(m.agents),
    outputs: {
      out: m.out ?? 'reports/run.json',
      saveBaseline: m.save_baseline,
      hgrm: m.hgrm,
      html: m.html,
      histLog: m.hist_log,
      metricsListen: m.metrics_listen,
      metricsLingerMs: parseDuration(m.metrics_linger ?? '5s', 'metrics_linger'),
    },
  };
}

function readBody(path: string, what = 'body file'): Promise<string> {
  return readInputText(path, what);
}

function faultOf(m: ScenarioFile): Scenario['fault'] {
  if (m.fault_at === undefined && m.fault_cmd === undefined) {
    if (m.recover_at !== undefined || m.recover_cmd !== undefined) {
      throw new ToolError('E_USAGE', '--recover-at/--recover-cmd need --fault-at and --fault-cmd');
    }
    return undefined;
  }
  if (m.fault_at === undefined || !m.fault_cmd)
    throw new ToolError('E_USAGE', '--fault-at and --fault-cmd go together');
  if ((m.recover_at === undefined) !== (m.recover_cmd === undefined)) {
    throw new ToolError('E_USAGE', '--recover-at and --recover-cmd go together');
  }
  const atMs = parseDuration(m.fault_at, 'fault_at');
  const recoverAtMs =
    m.recover_at !== undefined ? parseDuration(m.recover_at, 'recover_at') : undefined;
  if (recoverAtMs !== undefined && recoverAtMs <= atMs)
    throw new ToolError('E_USAGE', '--recover-at must come after --fault-at');
  return {
    atMs,
    cmd: m.fault_cmd,
    ...(recoverAtMs !== undefined ? { recoverAtMs, recoverCmd: m.recover_cmd! } : {}),
    factor: m.recovery_factor ?? 2,
  };
}
