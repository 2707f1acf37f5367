import { hostname } from 'node:os';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { ServiceError, Svcm, type ServiceInfo } from '@nats-io/services';
import { ExitCode, ToolError, oneLine } from '../errors.js';
import { NO_LIVE, type LiveStats, type ShardPlan, type ShardResult } from '../driver/shard.js';
import type { ShardSet } from '../driver/threads.js';
import { connectNats } from '../transports/nats-connect.js';
import type { NatsConnConfig } from '../transports/nats-config.js';
import { redactUrl } from '../util/redact.js';
import { wallClock } from '../timing/clock.js';
import type { ClockOffset } from './clock-offset.js';
import { FleetTracker, type TrackedAgent } from './fleet-tracker.js';
import {
  AGENT_SERVICE,
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
 * The coordinator's side: find agents through the NATS services framework, hand each a
 * disjoint share of the schedule with a common start instant, follow their heartbeats, and
 * collect their encoded results. A run is a ShardSet like a local one, so the bench run
 * merges agents' shares exactly as it merges threads; agents that drop out leave a partial
 * result, never a hung coordinator: every wait here has a bound.
 */
export interface AgentInfo {
  id: string;
  name: string;
  host: string;
  cores: number;
  allow: string;
}

export interface FleetOptions {
  bus: NatsConnConfig;
  count: number | 'all';
  /** How long to look for agents before giving up. */
  discoverMs: number;
  /** The target is a process on this machine's loopback: every agent must run here. */
  sameHostOnly: boolean;
  log: (line: string) => void;
  /** Ctrl-C while looking for agents ends the wait. */
  signal?: AbortSignal;
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
export const LOSS_AFTER_MS = 3000;
/** Connect to the target and sync the clock: generous, but bounded. */
const PLAN_TIMEOUT_MS = 15_000;
const START_TIMEOUT_MS = 2000;
const CHUNK_TIMEOUT_MS = 5000;
/** After the last request's timeout, time for agents to report before they count as lost. */
const DEADLINE_GRACE_MS = 5000;

export class Fleet {
  private constructor(
    private readonly nc: NatsConnection,
    readonly agents: AgentInfo[],
    private readonly o: FleetOptions,
  ) {}

  static async connect(o: FleetOptions): Promise<Fleet> {
    const nc = await connectNats({ ...o.bus, name: 'bench-router coordinator' });
    try {
      const agents = await discover(nc, o);
      return new Fleet(nc, agents, o);
    } catch (e) {
      await nc.close();
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => undefined);
  }

  /** Runs `plans` (one per share, agents x threads of them) across the agents. */
  run(plans: ShardPlan[], runId: string, t: RunTiming): FleetRun {
    const nc = this.nc;
    const per = plans.length / this.agents.length;
    const byAgent = this.agents.map((info, i) => ({
      info,
      plans: plans.slice(i * per, (i + 1) * per),
    }));
    const clockSubject = `_BR.${runId}.clock`;
    const statusSubject = `_BR.${runId}.status`;
    const subs: Subscription[] = [
      nc.subscribe(clockSubject, {
        callback: (_e, m) => void m.respond(toJson({ t: wallClock.now() })),
      }),
    ];
    let tracker: FleetTracker | undefined;
    const early: StatusMsg[] = [];
    subs.push(
      nc.subscribe(statusSubject, {
        callback: (_e, m) => {
          const s = fromJson<StatusMsg>(m.data);
          if (s.runId !== runId) return;
          if (tracker) tracker.heard(s.agent, wallClock.now(), s.status);
          else early.push(s);
        },
      }),
    );
    const clocks = new Map<string, ClockOffset>();
    let stopped = false;
    const stopAll = (): void => {
      for (const a of this.agents)
        nc.request(agentSubject(a.id, 'stop'), toJson({ runId }), { timeout: 1000 }).catch(
          () => undefined,
        );
    };
    // Ctrl-C before the tracker exists: stop the agents, and there is nothing to report.
    const throwIfStopped = (when: string): void => {
      if (!stopped) return;
      stopAll();
      throw new ToolError(
        'E_INTERRUPTED',
        `interrupted ${when}: nothing was measured`,
        ExitCode.interrupted,
      );
    };

    const started = (async (): Promise<number> => {
      const replies = await Promise.all(
        byAgent.map(async ({ info, plans: shards }) => {
          const plan: AgentPlan = {
            v: PROTOCOL_VERSION,
            runId,
            clockSubject,
            statusSubject,
            heartbeatMs: HEARTBEAT_MS,
            startWithinMs: PLAN_TIMEOUT_MS,
            shards,
          };
          try {
            const m = await nc.request(agentSubject(info.id, 'plan'), toJson(plan), {
              timeout: PLAN_TIMEOUT_MS,
            });
            return { info, reply: fromJson<PlanReply>(m.data) };
          } catch (e) {
            return {
              info,
              reply: { ok: false, code: 'E_AGENT', message: `no answer: ${oneLine(e)}` } as const,
            };
          }
        }),
      );
      const refusal = replies.find((r) => !r.reply.ok);
      if (refusal && !refusal.reply.ok) {
        stopAll();
        const also = replies.filter((r) => !r.reply.ok).length - 1;
        throw new ToolError(
          'E_AGENT_REFUSED',
          `agent ${refusal.info.name} refused the plan: ${refusal.reply.message}${also ? ` (and ${also} more agent(s) refused)` : ''}`,
        );
      }
      for (const r of replies) if (r.reply.ok) clocks.set(r.info.id, r.reply.clock);
      throwIfStopped('before the agents started');
      // Far enough ahead that every start message arrives before the instant it names.
      const maxRtt = Math.max(...[...clocks.values()].map((c) => c.rttMs));
      const startMs = wallClock.now() + Math.max(250, 4 * maxRtt);
      const acks = await Promise.all(
        this.agents.map((a) =>
          nc
            .request(agentSubject(a.id, 'start'), toJson({ runId, startMs }), {
              timeout: START_TIMEOUT_MS,
            })
            .then((m) => fromJson<{ ok: boolean; message?: string }>(m.data))
            .catch((e: unknown) => ({ ok: false, message: oneLine(e) })),
        ),
      );
      throwIfStopped('as the agents started');
      tracker = new FleetTracker(this.agents, wallClock.now(), {
        lossAfterMs: LOSS_AFTER_MS,
        deadlineMs: startMs + t.warmupMs + t.durationMs + t.timeoutMs + DEADLINE_GRACE_MS,
      });
      acks.forEach((ack, i) => {
        if (!ack.ok)
          tracker!.lose(this.agents[i]!.id, wallClock.now(), `did not start: ${ack.message}`);
      });
      for (const s of early.splice(0)) tracker.heard(s.agent, wallClock.now(), s.status);
      return startMs;
    })();

    const outcomes = started
      .then(async (startMs) => {
        const tr = tracker!;
        await new Promise<void>((resolve) => {
          const tick = setInterval(() => {
            for (const a of tr.check(wallClock.now()))
              this.o.log(
                `agent ${nameOf(this.agents, a.id)} lost ${((a.lostAtMs! - startMs - t.warmupMs) / 1000).toFixed(1)} s into the measurement: ${a.reason}`,
              );
            if (tr.settled()) {
              clearInterval(tick);
              resolve();
            }
          }, 100);
        });
        return Promise.all(
          byAgent.map(async ({ info, plans: shards }): Promise<AgentOutcome> => {
            const a = tr.list().find((x) => x.id === info.id)!;
            let results: ShardResult[] = [];
            if (a.state === 'done') {
              try {
                results = await this.fetchResult(info, runId, a.chunks!);
              } catch (e) {
                tr.lose(info.id, wallClock.now(), `result not retrievable: ${oneLine(e)}`);
              }
            }
            return {
              info,
              state: a.state,
              shares: shards.map((p) => p.share.index),
              clock: clocks.get(info.id),
              lastHeardMs: a.lastHeardMs,
              ...(a.lostAtMs !== undefined ? { lostAtMs: a.lostAtMs } : {}),
              ...(a.reason !== undefined ? { reason: a.reason } : {}),
              lastLive: a.live,
              results,
            };
          }),
        );
      })
      .finally(() => subs.forEach((s) => s.unsubscribe()));
    outcomes.catch(() => undefined); // the caller awaits `started` first and sees the error there

    const results = outcomes.then((os) => {
      const done = os.filter((o) => o.results.length);
      if (!done.length)
        throw new ToolError(
          'E_AGENTS_LOST',
          `no agent returned a result: ${os.map((o) => `${o.info.name} ${o.reason ?? o.state}`).join('; ')}`,
          ExitCode.invalidRun,
        );
      return done.flatMap((o) => o.results);
    });
    results.catch(() => undefined);

    return {
      started,
      results,
      outcomes,
      live: () => tracker?.live() ?? NO_LIVE,
      stop: () => {
        stopped = true;
        stopAll();
      },
    };
  }

  private async fetchResult(info: AgentInfo, runId: string, n: number): Promise<ShardResult[]> {
    const chunks: Uint8Array[] = [];
    for (let chunk = 0; chunk < n; chunk++) {
      const m = await this.nc.request(agentSubject(info.id, 'result'), toJson({ runId, chunk }), {
        timeout: CHUNK_TIMEOUT_MS,
      });
      const err = ServiceError.toServiceError(m as never);
      if (err) throw new Error(err.message);
      chunks.push(m.data);
    }
    return fromChunks(chunks).results;
  }
}

const nameOf = (agents: readonly AgentInfo[], id: string): string =>
  agents.find((a) => a.id === id)?.name ?? id;

/** Asks the services framework who is out there until enough agents answer or time is up. */
async function discover(nc: NatsConnection, o: FleetOptions): Promise<AgentInfo[]> {
  const end = wallClock.now() + o.discoverMs;
  const found = new Map<string, AgentInfo>();
  const want = o.count === 'all' ? 1 : o.count;
  const client = new Svcm(nc as never).client({ strategy: 'stall', maxWait: 1000 } as never);
  do {
    try {
      const infos = await client.info(AGENT_SERVICE);
      for await (const i of infos as AsyncIterable<ServiceInfo>) {
        const md = i.metadata ?? {};
        if (md.protocol !== String(PROTOCOL_VERSION)) continue;
        found.set(i.id, {
          id: i.id,
          name: md.name ?? i.id,
          host: md.host ?? '?',
          cores: Number(md.cores ?? 0),
          allow: md.allow ?? '',
        });
      }
    } catch {
      // "no responders" means no agent yet, not an error: they may still be starting.
    }
    if (found.size >= want) break;
    if (o.signal?.aborted)
      throw new ToolError(
        'E_INTERRUPTED',
        'interrupted while looking for agents: nothing was measured',
        ExitCode.interrupted,
      );
    await new Promise((r) => setTimeout(r, 250));
  } while (wallClock.now() < end);
  const agents = [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  if (agents.length < want)
    throw new ToolError(
      'E_AGENTS_MISSING',
      `found ${agents.length} agent(s) on ${o.bus.servers.map(redactUrl).join(',')} within ${o.discoverMs / 1000} s, ${want} needed${agents.length ? ` (${agents.map((a) => a.name).join(', ')})` : ''}: start them with "bench-router agent --nats URL"`,
    );
  const chosen = o.count === 'all' ? agents : agents.slice(0, o.count);
  if (o.sameHostOnly) {
    const away = chosen.find((a) => a.host !== hostname());
    if (away)
      throw new ToolError(
        'E_USAGE',
        `--target builtin starts the router on this machine's loopback, but agent ${away.name} runs on ${away.host}: give a URL the agents can reach`,
      );
  }
  return chosen;
}
