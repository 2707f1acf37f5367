import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { ServiceError } from '@nats-io/services';
import { ToolError, oneLine } from '../errors.js';
import { NO_LIVE, type LiveStats, type ShardPlan, type ShardResult } from '../driver/shard.js';
import type { ShardSet } from '../driver/threads.js';
import { wallClock } from '../timing/clock.js';
import type { ClockOffset } from './clock-offset.js';
import { FleetTracker, type TrackedAgent } from './fleet-tracker.js';
import {
  PROTOCOL_VERSION,
  agentSubject,
  fromChunks,
  fromJson,
  toJson,
  type AgentPlan,
  type PlanReply,
  type StatusMsg,
} from './protocol.js';

/**
 * One run across the fleet, as its phases, each with one job:
 *
 *   listen   answer the agents' clock exchange, hear their heartbeats
 *   plan     every agent accepts its shares (connected, clock synced) or the run stops
 *   start    one start instant for all; the tracker takes over from here
 *   watch    until every agent is done or lost (silence, or the run's deadline)
 *   collect  each agent's result chunks, or why there are none
 *
 * Every wait has a bound, so agents that drop out leave a partial result, never a hung
 * coordinator.
 */
export interface AgentInfo {
  id: string;
  name: string;
  host: string;
  cores: number;
  allow: string;
}

export interface AgentOutcome {
  info: AgentInfo;
  state: TrackedAgent['state'];
  /** The shares of the whole schedule this agent ran. */
  shares: number[];
  clock?: ClockOffset;
  lastHeardMs?: number;
  lostAtMs?: number;
  reason?: string;
  /** What it last reported while running (all that is known of a lost agent's work). */
  lastLive?: LiveStats;
  results: ShardResult[];
}

export interface FleetRun extends ShardSet {
  outcomes: Promise<AgentOutcome[]>;
}

export interface RunTiming {
  warmupMs: number;
  durationMs: number;
  timeoutMs: number;
}

const HEARTBEAT_MS = 250;
/** An agent silent this long is lost: twelve heartbeats, well past a GC pause or a slow tick. */
const LOSS_AFTER_MS = 3000;
/** Connect to the target and sync the clock: generous, but bounded. */
const PLAN_TIMEOUT_MS = 15_000;
const START_TIMEOUT_MS = 2000;
const CHUNK_TIMEOUT_MS = 5000;
/** After the last request's timeout, time for agents to report before they count as lost. */
const DEADLINE_GRACE_MS = 5000;

export class FleetRunner {
  private readonly byAgent: { info: AgentInfo; plans: ShardPlan[] }[];
  private readonly clockSubject: string;
  private readonly statusSubject: string;
  private readonly subs: Subscription[] = [];
  private readonly clocks = new Map<string, ClockOffset>();
  /** Heartbeats that came before the tracker existed (an agent starting fast). */
  private readonly early: StatusMsg[] = [];
  private tracker: FleetTracker | undefined;
  private stopped = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly agents: AgentInfo[],
    plans: ShardPlan[],
    private readonly runId: string,
    private readonly t: RunTiming,
    private readonly log: (line: string) => void,
  ) {
    const per = plans.length / agents.length;
    this.byAgent = agents.map((info, i) => ({
      info,
      plans: plans.slice(i * per, (i + 1) * per),
    }));
    this.clockSubject = `_BR.${runId}.clock`;
    this.statusSubject = `_BR.${runId}.status`;
  }

  run(): FleetRun {
    this.listen();
    const started = this.plan().then(() => this.start());
    const outcomes = started
      .then(async (startMs) => {
        await this.watch(startMs);
        return this.collect();
      })
      .finally(() => this.subs.forEach((s) => s.unsubscribe()));
    outcomes.catch(() => undefined); // the caller awaits `started` first and sees the error there
    const results = outcomes.then(mergedResults);
    results.catch(() => undefined);
    return {
      started,
      results,
      outcomes,
      live: () => this.tracker?.live() ?? NO_LIVE,
      stop: () => {
        this.stopped = true;
        this.stopAll();
      },
    };
  }

  private listen(): void {
    this.subs.push(
      this.nc.subscribe(this.clockSubject, {
        callback: (_e, m) => void m.respond(toJson({ t: wallClock.now() })),
      }),
      this.nc.subscribe(this.statusSubject, {
        callback: (_e, m) => {
          const s = fromJson<StatusMsg>(m.data);
          if (s.runId !== this.runId) return;
          if (this.tracker) this.tracker.heard(s.agent, wallClock.now(), s.status);
          else this.early.push(s);
        },
      }),
    );
  }

  private async plan(): Promise<void> {
    const replies = await Promise.all(
      this.byAgent.map(async ({ info, plans: shards }) => {
        const plan: AgentPlan = {
          v: PROTOCOL_VERSION,
          runId: this.runId,
          clockSubject: this.clockSubject,
          statusSubject: this.statusSubject,
          heartbeatMs: HEARTBEAT_MS,
          startWithinMs: PLAN_TIMEOUT_MS,
          shards,
        };
        try {
          const m = await this.nc.request(agentSubject(info.id, 'plan'), toJson(plan), {
            timeout: PLAN_TIMEOUT_MS,
          });
          return { info, reply: fromJson<PlanReply>(m.data) };
        } catch (e) {
          const reply: PlanReply = {
            ok: false,
            code: 'E_AGENT_NO_ANSWER',
            message: `no answer: ${oneLine(e)}`,
          };
          return { info, reply };
        }
      }),
    );
    const refusals = replies.flatMap((r) => (r.reply.ok ? [] : [{ ...r, reply: r.reply }]));
    const first = refusals[0];
    if (first) {
      this.stopAll();
      const also = refusals.length - 1;
      throw new ToolError(
        'E_AGENT_REFUSED',
        `agent ${first.info.name} refused the plan: ${first.reply.message}${also ? ` (and ${also} more agent(s) refused)` : ''}`,
      );
    }
    for (const r of replies) if (r.reply.ok) this.clocks.set(r.info.id, r.reply.clock);
    this.throwIfStopped('before the agents started');
  }

  private async start(): Promise<number> {
    // Far enough ahead that every start message arrives before the instant it names.
    const maxRtt = Math.max(...[...this.clocks.values()].map((c) => c.rttMs));
    const startMs = wallClock.now() + Math.max(250, 4 * maxRtt);
    const acks = await Promise.all(
      this.agents.map((a) =>
        this.nc
          .request(agentSubject(a.id, 'start'), toJson({ runId: this.runId, startMs }), {
            timeout: START_TIMEOUT_MS,
          })
          .then((m) => fromJson<{ ok: boolean; message?: string }>(m.data))
          .catch((e: unknown) => ({ ok: false, message: oneLine(e) })),
      ),
    );
    this.throwIfStopped('as the agents started');
    const { t } = this;
    const tracker = new FleetTracker(this.agents, wallClock.now(), {
      lossAfterMs: LOSS_AFTER_MS,
      deadlineMs: startMs + t.warmupMs + t.durationMs + t.timeoutMs + DEADLINE_GRACE_MS,
    });
    acks.forEach((ack, i) => {
      if (!ack.ok)
        tracker.lose(this.agents[i]!.id, wallClock.now(), `did not start: ${ack.message}`);
    });
    for (const s of this.early.splice(0)) tracker.heard(s.agent, wallClock.now(), s.status);
    this.tracker = tracker;
    return startMs;
  }

  private watch(startMs: number): Promise<void> {
    const tr = this.tracker!;
    return new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        for (const a of tr.check(wallClock.now()))
          this.log(
            `agent ${nameOf(this.agents, a.id)} lost ${((a.lostAtMs! - startMs - this.t.warmupMs) / 1000).toFixed(1)} s into the measurement: ${a.reason}`,
          );
        if (tr.settled()) {
          clearInterval(tick);
          resolve();
        }
      }, 100);
    });
  }

  private collect(): Promise<AgentOutcome[]> {
    const tr = this.tracker!;
    return Promise.all(
      this.byAgent.map(async ({ info, plans: shards }): Promise<AgentOutcome> => {
        const a = tr.list().find((x) => x.id === info.id)!;
        let results: ShardResult[] = [];
        if (a.state === 'done') {
          try {
            results = await this.fetchResult(info, a.chunks!);
          } catch (e) {
            tr.lose(info.id, wallClock.now(), `result not retrievable: ${oneLine(e)}`);
          }
        }
        return {
          info,
          state: a.state,
          shares: shards.map((p) => p.share.index),
          clock: this.clocks.get(info.id),
          lastHeardMs: a.lastHeardMs,
          ...(a.lostAtMs !== undefined ? { lostAtMs: a.lostAtMs } : {}),
          ...(a.reason !== undefined ? { reason: a.reason } : {}),
          lastLive: a.live,
          results,
        };
      }),
    );
  }

  private async fetchResult(info: AgentInfo, n: number): Promise<ShardResult[]> {
    const chunks: Uint8Array[] = [];
    for (let chunk = 0; chunk < n; chunk++) {
      const m = await this.nc.request(
        agentSubject(info.id, 'result'),
        toJson({ runId: this.runId, chunk }),
        { timeout: CHUNK_TIMEOUT_MS },
      );
      const err = ServiceError.toServiceError(m as never);
      if (err) throw new Error(err.message);
      chunks.push(m.data);
    }
    return fromChunks(chunks).results;
  }

  private stopAll(): void {
    for (const a of this.agents)
      this.nc
        .request(agentSubject(a.id, 'stop'), toJson({ runId: this.runId }), { timeout: 1000 })
        .catch(() => undefined);
  }

  /** Ctrl-C before the tracker exists: stop the agents, and there is nothing to report. */
  private throwIfStopped(when: string): void {
    if (!this.stopped) return;
    this.stopAll();
    throw new ToolError('E_INTERRUPTED', `interrupted ${when}: nothing was measured`);
  }
}

function mergedResults(os: AgentOutcome[]): ShardResult[] {
  const done = os.filter((o) => o.results.length);
  if (!done.length)
    throw new ToolError(
      'E_AGENTS_LOST',
      `no agent returned a result: ${os.map((o) => `${o.info.name} ${o.reason ?? o.state}`).join('; ')}`,
    );
  return done.flatMap((o) => o.results);
}

const nameOf = (agents: readonly AgentInfo[], id: string): string =>
  agents.find((a) => a.id === id)?.name ?? id;
