import { gunzipSync, gzipSync } from 'node:zlib';
import type { ShardPlan, ShardResult } from '../driver/shard.js';
import type { AgentStatus } from './fleet-tracker.js';
import type { ClockOffset } from './clock-offset.js';
import type { ErrorCode } from '../errors.js';

/**
 * What coordinator and agents say to each other over NATS, as plain JSON. Discovery, health
 * and stats come from the NATS services framework (`$SRV.INFO.bench-router-agent` etc.);
 * each agent adds its own endpoints under `bench-router.agent.<id>.*`:
 *
 *   plan    coordinator -> agent   AgentPlan; reply PlanReply once connected and clock-synced
 *   start   coordinator -> agent   StartMsg (start instant in the coordinator's clock)
 *   stop    coordinator -> agent   {runId}: end the run early, keep what was measured
 *   result  coordinator -> agent   {runId, chunk}: one gzip chunk of the AgentRunResult
 *
 * and the agent talks back on subjects the plan names: `clockSubject` (request: the
 * coordinator answers with its clock) and `statusSubject` (StatusMsg every heartbeat).
 */
export const AGENT_SERVICE = 'bench-router-agent';
export const PROTOCOL_VERSION = 1;

export type AgentVerb = 'plan' | 'start' | 'stop' | 'result';
export const agentSubject = (id: string, verb: AgentVerb): string =>
  `bench-router.agent.${id}.${verb}`;

export interface AgentPlan {
  v: typeof PROTOCOL_VERSION;
  runId: string;
  clockSubject: string;
  statusSubject: string;
  heartbeatMs: number;
  /** A prepared plan whose start does not come within this long is dropped. */
  startWithinMs: number;
  /** One per generator thread on the agent; disjoint shares of the whole schedule. */
  shards: ShardPlan[];
}

/**
 * Why an agent refused a plan: one of its own checks, or the typed error that stopped it
 * connecting (an unreachable target, bad TLS files), whose code travels unchanged.
 */
export type AgentRefusalCode =
  | 'E_AGENT_PLAN' // not a plan this agent can read (JSON, protocol version, no shares)
  | 'E_AGENT_BUSY' // already running or preparing another run
  | 'E_PLAN_LIMIT' // more rate, threads or length than the agent allows
  | 'E_TARGET_NOT_ALLOWED' // a target outside the agent's allowlist
  | 'E_CLOCK_SYNC' // the coordinator did not answer the clock exchange
  | 'E_AGENT_NO_ANSWER' // (coordinator side) the agent did not answer the plan
  | 'E_AGENT_FAILED' // the agent failed for a reason it could not name (a bug)
  | ErrorCode;

export type PlanReply =
  { ok: true; clock: ClockOffset } | { ok: false; code: AgentRefusalCode; message: string };

export interface StartMsg {
  runId: string;
  /** Coordinator clock. */
  startMs: number;
}

export interface StatusMsg {
  agent: string;
  runId: string;
  status: AgentStatus;
}

export interface ResultRequest {
  runId: string;
  chunk: number;
}

/** The agent's shares, with times already in the coordinator's clock. */
export interface AgentRunResult {
  results: ShardResult[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();
export const toJson = (x: unknown): Uint8Array => enc.encode(JSON.stringify(x));
export const fromJson = <T>(b: Uint8Array): T => JSON.parse(dec.decode(b)) as T;

/** Results can outgrow a NATS message (per-second histograms of a long run): gzip, then cut. */
export function toChunks(r: AgentRunResult, chunkBytes: number): Uint8Array[] {
  const z = gzipSync(enc.encode(JSON.stringify(r)));
  const out: Uint8Array[] = [];
  for (let i = 0; i < z.length; i += chunkBytes) out.push(z.subarray(i, i + chunkBytes));
  return out.length ? out : [z];
}

export function fromChunks(chunks: readonly Uint8Array[]): AgentRunResult {
  return JSON.parse(dec.decode(gunzipSync(Buffer.concat(chunks)))) as AgentRunResult;
}
