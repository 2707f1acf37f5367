import { addLive, NO_LIVE, type LiveStats } from '../driver/shard.js';

/**
 * The coordinator's view of the agents in one run, driven by the status messages they send
 * and by the clock alone (no I/O here, so the rules are tested with a fake clock). An agent
 * that stays silent for `lossAfterMs`, or has not finished by the run's deadline, is lost:
 * the run goes on with the others and ends as a partial result instead of waiting for it.
 */
export type AgentStatus =
  | { state: 'live'; live: LiveStats }
  | { state: 'done'; chunks: number; bytes: number; live?: LiveStats }
  | { state: 'failed'; code?: string; message: string };

export interface TrackedAgent {
  id: string;
  name: string;
  state: 'running' | 'done' | 'lost' | 'failed';
  lastHeardMs: number;
  live: LiveStats;
  /** When the coordinator gave up on it. */
  lostAtMs?: number;
  reason?: string;
  chunks?: number;
  bytes?: number;
}

export interface TrackerOptions {
  /** Silence after which a running agent counts as lost. */
  lossAfterMs: number;
  /** By then every agent must have finished; the rest are lost. */
  deadlineMs: number;
}

export class FleetTracker {
  private readonly agents = new Map<string, TrackedAgent>();

  constructor(
    agents: readonly { id: string; name: string }[],
    nowMs: number,
    private readonly o: TrackerOptions,
  ) {
    for (const a of agents)
      this.agents.set(a.id, { ...a, state: 'running', lastHeardMs: nowMs, live: NO_LIVE });
  }

  heard(id: string, nowMs: number, s: AgentStatus): void {
    const a = this.agents.get(id);
    if (!a || a.state !== 'running') return; // late news from a lost agent changes nothing
    a.lastHeardMs = nowMs;
    if (s.state === 'live') a.live = s.live;
    else if (s.state === 'done')
      Object.assign(a, {
        state: 'done',
        chunks: s.chunks,
        bytes: s.bytes,
        ...(s.live ? { live: s.live } : {}),
      });
    else
      Object.assign(a, { state: 'failed', reason: s.code ? `${s.code}: ${s.message}` : s.message });
  }

  /** Marks an agent lost for a reason found outside the status stream. */
  lose(id: string, nowMs: number, reason: string): void {
    const a = this.agents.get(id);
    if (!a || a.state === 'lost' || a.state === 'failed') return;
    Object.assign(a, { state: 'lost', lostAtMs: nowMs, reason });
  }

  /** Applies the silence and deadline rules; returns the agents lost by this check. */
  check(nowMs: number): TrackedAgent[] {
    const lost: TrackedAgent[] = [];
    for (const a of this.agents.values()) {
      if (a.state !== 'running') continue;
      const silentMs = nowMs - a.lastHeardMs;
      const reason =
        silentMs >= this.o.lossAfterMs
          ? `silent for ${(silentMs / 1000).toFixed(1)} s`
          : nowMs >= this.o.deadlineMs
            ? 'no result by the deadline'
            : undefined;
      if (reason) {
        this.lose(a.id, nowMs, reason);
        lost.push(a);
      }
    }
    return lost;
  }

  settled(): boolean {
    return [...this.agents.values()].every((a) => a.state !== 'running');
  }

  list(): TrackedAgent[] {
    return [...this.agents.values()];
  }

  /** Live totals across agents, as last reported. */
  live(): LiveStats {
    return this.list()
      .map((a) => a.live)
      .reduce(addLive, NO_LIVE);
  }
}
