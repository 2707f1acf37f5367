import type { Arrival } from '../schedule/arrivals.js';
import type { RouterKnobs } from '../targets/builtin-router/knobs.js';

/** NATS credentials as scenario fields: secrets only by environment variable or file. */
export interface NatsAuthFields {
  user?: string;
  password_env?: string;
  password_file?: string;
  token_env?: string;
  token_file?: string;
  nkey_file?: string;
  creds?: string;
}

/** One kind of a request mix, as written in the scenario. */
export interface RequestKindFields {
  name: string;
  weight?: number;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  body_file?: string;
  subject?: string;
  payload?: string;
  payload_file?: string;
}

/** A kind of the mix, settled: files read, defaults applied for its transport. */
export interface RequestKind {
  name: string;
  weight: number;
  /** HTTP */
  method: string;
  path: string;
  /** NATS */
  subject: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** The scenario file's shape (snake_case, as published in schemas/scenario.schema.json). */
export interface ScenarioFile {
  name?: string;
  /** k6 ramping-arrival-rate stages, instead of `rate`. */
  stages?: { duration: string | number; target: number }[];
  start_rate?: number;
  /** A weighted mix of request kinds (HTTP: method/path/headers/body; NATS: subject/payload). */
  requests?: RequestKindFields[];
  /** A data feeder for {{data.FIELD}}. */
  data?: { file: string; order?: 'sequential' | 'random'; on_end?: 'wrap' | 'stop' };
  /** Serve live Prometheus metrics at HOST:PORT/metrics during the run. */
  metrics_listen?: string;
  /** Keep serving the final values this long after the run (for the last scrape). */
  metrics_linger?: string | number;
  description?: string;
  target?: string;
  transport?: 'http' | 'nats';
  probe_pid?: number;
  leak_threshold?: number;
  fault_at?: string | number;
  fault_cmd?: string;
  recover_at?: string | number;
  recover_cmd?: string;
  recovery_factor?: number;
  probe_prom?: string;
  probe_prom_mem?: string;
  probe_prom_cpu?: string;
  probe_nats_varz?: string;
  mode?: 'request' | 'publish' | 'jetstream' | 'consume';
  stream?: string;
  consumer?: string;
  deliver?: 'all' | 'new';
  subject?: string;
  subjects?: number;
  payload_size?: number;
  traceparent?: boolean;
  e2e?: boolean;
  nats?: { url?: string; connections?: number } & NatsAuthFields;
  /** Generator agents: split the run over a fleet coordinated on a NATS bus. */
  agents?: {
    count?: number | 'all';
    nats?: string;
    local?: number;
    wait?: string | number;
  } & NatsAuthFields;
  http_engine?: 'fast' | 'undici';
  rate?: number;
  duration?: string | number;
  warmup?: string | number;
  arrival?: Arrival;
  connections?: number;
  max_in_flight?: number;
  timeout?: string | number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  body_file?: string;
  tenants?: string[];
  concurrency?: number;
  threads?: number;
  reply_check?: boolean;
  overload_codes?: string[];
  tls?: { ca?: string; cert?: string; key?: string; insecure?: boolean };
  max_send_lag?: string | number;
  seed?: number;
  repeat?: number;
  out?: string;
  save_baseline?: string;
  hgrm?: string;
  html?: string;
  hist_log?: string;
  builtin?: import('../targets/builtin-router/knob-args.js').KnobFields;
}

/** Flags that were given, already named as scenario fields (snake_case). */
export type ScenarioOverrides = ScenarioFile & { body_at?: string };

/**
 * A scenario after merging file, flags and defaults: every field settled, times in ms, in
 * parts by concern (what is hit, how hard, with what, over which protocol, what is watched,
 * what is broken on purpose, from where), with the files it writes apart.
 */
export interface Scenario {
  name: string;
  target: TargetPart;
  load: LoadPart;
  workload: WorkloadPart;
  http: HttpPart;
  /** The NATS side of the run; undefined: an HTTP run. */
  nats: NatsPart | undefined;
  probes: ProbesPart;
  fault: FaultPart | undefined;
  agents: AgentsPart | undefined;
  outputs: OutputsPart;
}

/** What is hit. */
export interface TargetPart {
  /** The URL as given (`builtin` for the built-in router, whose address comes at run time). */
  url: string;
  transport: 'http' | 'nats';
  /** The built-in router's knobs, when the target is `builtin`. */
  builtin: RouterKnobs | undefined;
}

/** How hard, for how long, from how many threads. */
export interface LoadPart {
  rate: number | undefined;
  /** Open loop along ramps and holds instead of one rate; the run's length is their sum. */
  stages: { startRate: number; stages: import('../schedule/profile.js').Stage[] } | undefined;
  concurrency: number | undefined;
  durationMs: number;
  warmupMs: number;
  arrival: Arrival;
  seed: number;
  repeat: number;
  threads: number;
  maxInFlight: number;
  maxSendLagMs: number;
}

/** What each request is. */
export interface WorkloadPart {
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  tenants: string[];
  /** A weighted mix of request kinds; undefined: one kind from target/method/body/subject. */
  requests: RequestKind[] | undefined;
  /** A data feeder (`--data`): rows streamed, disjoint per thread and agent. */
  data: import('../workload/feeder.js').DataSpec | undefined;
  timeoutMs: number;
  replyCheck: boolean;
  overloadCodes: string[];
}

/** The HTTP client. */
export interface HttpPart {
  connections: number;
  engine: 'fast' | 'undici';
  tls: { ca?: string; cert?: string; key?: string; insecure?: boolean };
}

export interface NatsPart {
  mode: 'request' | 'publish' | 'jetstream' | 'consume';
  /** consume: the stream, an existing consumer, and where a new one starts. */
  stream: string | undefined;
  consumer: string | undefined;
  deliver: 'all' | 'new';
  subject: string;
  /** Spread over SUBJECT.0 .. SUBJECT.N-1 (request k goes to SUBJECT.(k mod N)). */
  subjects: number | undefined;
  /** Random bytes of this size instead of the templated body. */
  payloadSize: number | undefined;
  /** For `builtin` over NATS: use this server instead of starting one. */
  url: string | undefined;
  /** Connections per generator thread, used in turn. */
  connections: number;
  traceparent: boolean;
  e2e: boolean;
  auth: import('../transports/nats-config.js').NatsAuth;
  credsFile: string | undefined;
}

/** What watches the target, and what its memory may do before it is called a leak. */
export interface ProbesPart {
  pid?: number;
  prom?: { url: string; mem: string; cpu: string };
  natsVarz?: string;
  leakThresholdMbPerMin: number;
}

export interface FaultPart {
  atMs: number;
  cmd: string;
  recoverAtMs?: number;
  recoverCmd?: string;
  factor: number;
}

export interface AgentsPart {
  count: number | 'all';
  /** The bus the agents serve on; undefined with `local`, which starts its own. */
  bus: import('../transports/nats-config.js').NatsConnConfig | undefined;
  local: boolean;
  discoverMs: number;
}

/** The files a run writes and what it serves while it runs. */
export interface OutputsPart {
  out: string;
  saveBaseline: string | undefined;
  hgrm: string | undefined;
  html: string | undefined;
  histLog: string | undefined;
  metricsListen: string | undefined;
  metricsLingerMs: number;
}

/** Outputs of a run inside a sweep or a comparison: its result file only (the caller writes
 * the reports, and serves one live endpoint for all its runs). */
export function resultOnly(out: string): OutputsPart {
  return {
    out,
    saveBaseline: undefined,
    hgrm: undefined,
    html: undefined,
    histLog: undefined,
    metricsListen: undefined,
    metricsLingerMs: 0,
  };
}

export const DECIDE_TEMPLATE =
  '{"version":"1","request_id":"{{request_id}}","tenant_id":"{{tenant}}","task":{"type":"route.decide","payload":{"seq":{{seq}},"sent_at_ms":{{timestamp_ms}}}}}';

export const DEFAULT_TENANTS = ['tenant-a', 'tenant-b', 'tenant-c', 'tenant-d'];
