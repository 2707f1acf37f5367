import { hostname } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import { Svcm, type ServiceInfo } from '@nats-io/services';
import { ToolError } from '../errors.js';
import type { ShardPlan } from '../driver/shard.js';
import { connectNats } from '../transports/nats-connect.js';
import type { NatsConnConfig } from '../transports/nats-config.js';
import { redactUrl } from '../util/redact.js';
import { wallClock } from '../timing/clock.js';
import { FleetRunner, type AgentInfo, type FleetRun, type RunTiming } from './fleet-run.js';
import { AGENT_SERVICE, PROTOCOL_VERSION } from './protocol.js';

/**
 * The coordinator's side: find agents through the NATS services framework, hand each a
 * disjoint share of the schedule with a common start instant, follow their heartbeats, and
 * collect their encoded results. A run is a ShardSet like a local one, so the bench run
 * merges agents' shares exactly as it merges threads; agents that drop out leave a partial
 * result, never a hung coordinator: every wait here has a bound.
 */
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
    return new FleetRunner(this.nc, this.agents, plans, runId, t, this.o.log).run();
  }
}

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
