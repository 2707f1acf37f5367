import { startNatsServer, type RunningNatsServer } from '../nats-server/server.js';
import { TargetProbe, promReader, varzReader } from '../probes/proc-probe.js';
import type { Scenario } from '../scenario/scenario.js';
import { DECIDE_PATH } from '../targets/builtin-router/addresses.js';
import { spawnRouter, type RouterProcess } from '../targets/builtin-router/spawn.js';
import { redactUrl } from '../util/redact.js';

/** Phase 1: the target, ready to be measured, and the probes that watch it. */
export interface PreparedTarget {
  /** Where the generator sends: the scenario's target, or the built-in router's address. */
  url: string;
  router: RouterProcess | undefined;
  /** A nats-server started for the built-in router over NATS. */
  localNats: RunningNatsServer | undefined;
  /** The first probe is the target's: its samples give mem_mb, cpu_pct and the intervals. */
  probes: TargetProbe[];
  stop(): Promise<void>;
}

export async function prepareTarget(s: Scenario): Promise<PreparedTarget> {
  let router: RouterProcess | undefined;
  let url = s.target.url;
  let localNats: RunningNatsServer | undefined;
  if (s.target.builtin && s.nats) {
    // The router over NATS needs a server: the one given, or a local one for this run.
    if (!s.nats.url) localNats = await startNatsServer();
    url = s.nats.url ?? localNats!.url;
    router = await spawnRouter(s.target.builtin, { url }).catch(async (e: unknown) => {
      await localNats?.stop();
      throw e;
    });
  } else if (s.target.builtin) {
    router = await spawnRouter(s.target.builtin);
    url = `${router.httpUrl}${DECIDE_PATH}`;
  }
  return {
    url,
    router,
    localNats,
    probes: targetProbes(s, router, localNats),
    async stop() {
      await router?.stop();
      await localNats?.stop();
    },
  };
}

/**
 * A target prepared by someone else for many runs: the same processes, fresh probes for
 * this run (so its samples are its own), and nothing to stop when the run ends.
 */
export function shareTarget(t: PreparedTarget, s: Scenario): PreparedTarget {
  return {
    ...t,
    probes: targetProbes(s, t.router, t.localNats),
    stop: () => Promise.resolve(),
  };
}

function targetProbes(
  s: Scenario,
  router: RouterProcess | undefined,
  localNats: RunningNatsServer | undefined,
): TargetProbe[] {
  const probes: TargetProbe[] = [];
  if (router) probes.push(TargetProbe.pid(router.pid));
  if (s.probes.pid !== undefined) probes.push(TargetProbe.pid(s.probes.pid));
  if (s.probes.prom)
    probes.push(
      new TargetProbe(
        'prom',
        redactUrl(s.probes.prom.url),
        promReader(s.probes.prom.url, s.probes.prom.mem, s.probes.prom.cpu),
      ),
    );
  if (s.probes.natsVarz)
    probes.push(
      new TargetProbe('nats-varz', redactUrl(s.probes.natsVarz), varzReader(s.probes.natsVarz)),
    );
  if (localNats)
    probes.push(
      new TargetProbe(
        'nats-varz',
        `${localNats.monitorUrl}/varz`,
        varzReader(`${localNats.monitorUrl}/varz`),
      ),
    );
  return probes;
}
