import type { Fleet } from '../agents/fleet.js';
import type { LocalFleet } from '../agents/local-fleet.js';
import { dataFieldsOf } from '../scenario/resolve.js';
import type { Scenario } from '../scenario/scenario.js';
import type { NatsConnConfig } from '../transports/nats-config.js';
import type { ConsumeTarget } from '../transports/nats-consume.js';
import { checkDataFile } from '../workload/rows.js';
import type { BenchIo } from './context.js';
import type { RunObserver } from './observe-phase.js';
import { natsConnConfig } from './plans.js';
import type { PreparedTarget } from './target-phase.js';

/**
 * Phase 3: who generates the load — this process's threads, or a fleet of agents (found on
 * a bus, or started here) — and what every share needs before the start: the NATS
 * connection, the data file checked, the consumer of a consume run.
 */
export interface PreparedGenerator {
  fleet: Fleet | undefined;
  /** Every generator thread, on every agent: disjoint shares of one schedule. */
  shares: number;
  natsConn: NatsConnConfig | undefined;
  consume: ConsumeTarget | undefined;
  close(): Promise<void>;
}

export async function prepareGenerator(
  s: Scenario,
  target: PreparedTarget,
  observer: RunObserver,
  io: BenchIo,
): Promise<PreparedGenerator> {
  let fleet: Fleet | undefined;
  let localFleet: LocalFleet | undefined;
  let consumer: { target: ConsumeTarget; cleanup(): Promise<void> } | undefined;
  const close = async (): Promise<void> => {
    await consumer?.cleanup();
    await fleet?.close();
    await localFleet?.stop();
  };
  try {
    if (s.agents) {
      // Agents, reports and NATS clients load only when a run uses them (start-up CPU).
      const { Fleet } = await import('../agents/fleet.js');
      if (s.agents.local)
        localFleet = await (
          await import('../agents/local-fleet.js')
        ).startLocalFleet(s.agents.count as number);
      fleet = await Fleet.connect({
        bus: localFleet?.bus ?? s.agents.bus!,
        count: s.agents.count,
        discoverMs: s.agents.discoverMs,
        // A router or nats-server started here listens on loopback only.
        sameHostOnly: target.router !== undefined || target.localNats !== undefined,
        log: (line) => io.stderr.write(`${line}\n`),
        signal: observer.interrupt.signal,
      });
      if (!io.quiet)
        io.stderr.write(`agents: ${fleet.agents.map((a) => `${a.name} (${a.host})`).join(', ')}\n`);
    }
    const shares = (fleet?.agents.length ?? 1) * s.load.threads;
    // Every row of the data file checked before the run (streamed): a missing field is a
    // one-line error naming the row, not a failure half-way.
    if (s.workload.data)
      await checkDataFile(
        s.workload.data.file,
        dataFieldsOf({ url: s.target.url, ...s.workload }),
        shares,
      );
    const natsConn = s.nats ? natsConnConfig(s, target.url) : undefined;
    if (s.nats?.mode === 'consume')
      consumer = await (
        await import('./consume-setup.js')
      ).prepareConsumer(s.nats, natsConn!, observer.runLabel);
    return { fleet, shares, natsConn, consume: consumer?.target, close };
  } catch (e) {
    await close();
    throw e;
  }
}
