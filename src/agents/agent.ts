import { cpus, hostname } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import { Svcm, type Service, type ServiceMsg } from '@nats-io/services';
import { ToolError, isToolError, oneLine } from '../errors.js';
import { runShards, type ShardSet } from '../driver/threads.js';
import type { ShardResult } from '../driver/shard.js';
import { connectNats } from '../transports/nats-connect.js';
import { secretsOf, type NatsConnConfig } from '../transports/nats-config.js';
import { redactUrl, scrubText } from '../util/redact.js';
import { toolInfo } from '../util/tool-info.js';
import { wallClock } from '../timing/clock.js';
import { parsePattern } from './allowlist.js';
import { checkPlan, planSummary } from './plan-check.js';
import type { PlanLimits } from './plan-limits.js';
import {
  estimateOffset,
  toCoordinatorClock,
  type ClockOffset,
  type ClockSample,
} from './clock-offset.js';
import {
  AGENT_SERVICE,
  PROTOCOL_VERSION,
  agentSubject,
  fromJson,
  toChunks,
  toJson,
  type AgentPlan,
  type AgentRefusalCode,
  type PlanReply,
  type ResultRequest,
  type StartMsg,
  type StatusMsg,
} from './protocol.js';
import type { AgentStatus } from './fleet-tracker.js';

/**
 * A generator agent: a NATS service that runs plans from a coordinator with the same
 * driver, recorder and probes as a local run (runShards), one run at a time. It refuses to
 * serve on a NATS server that lets anyone in, and refuses plans for targets outside its
 * allowlist, so a fleet cannot be pointed at arbitrary hosts.
 */
export interface AgentOptions {
  bus: NatsConnConfig;
  name: string;
  allow: string[];
  limits: PlanLimits;
  log: (line: string) => void;
}

const CLOCK_ROUNDS = 8;
const CLOCK_TIMEOUT_MS = 1000;
/** How long a finished result waits to be fetched before the agent drops it. */
const KEEP_RESULT_MS = 60_000;

interface CurrentRun {
  runId: string;
  plan: AgentPlan;
  set: ShardSet;
  offsetMs: number;
  begin(localStartMs: number): void;
  cancel(reason: Error): void;
  heartbeat?: NodeJS.Timeout;
  chunks?: Uint8Array[];
  dropTimer?: NodeJS.Timeout;
}

export class GeneratorAgent {
  private current: CurrentRun | undefined;
  /** A plan being checked and clock-synced: the agent is already taken. */
  private pending: string | undefined;
  private runs = 0;
  private refused = 0;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly service: Service,
    private readonly o: AgentOptions,
  ) {}

  static async start(o: AgentOptions): Promise<GeneratorAgent> {
    const patterns = o.allow.map(parsePattern);
    const nc = await connectNats({ ...o.bus, name: `bench-router-agent ${o.name}` });
    if (!nc.info?.auth_required) {
      await nc.close();
      throw new ToolError(
        'E_AGENT_UNAUTHENTICATED',
        `NATS ${o.bus.servers.map(redactUrl).join(',')} lets clients in without credentials: an agent serves only on a server that requires authentication (user/password, token, nkey or creds)`,
      );
    }
    const ref: { agent?: GeneratorAgent } = {}; // stats are asked for only once it exists
    const svc = await new Svcm(nc as never).add({
      name: AGENT_SERVICE,
      version: toolInfo('bench-router').version,
      description: 'bench-router generator agent: runs shares of a load schedule',
      metadata: {
        name: o.name,
        host: hostname(),
        cores: String(cpus().length),
        allow: o.allow.join(','),
        ...(o.limits.maxRate !== undefined ? { max_rate: String(o.limits.maxRate) } : {}),
        ...(o.limits.maxDurationMs !== undefined
          ? { max_duration_s: String(o.limits.maxDurationMs / 1000) }
          : {}),
        protocol: String(PROTOCOL_VERSION),
      },
      statsHandler: () =>
        Promise.resolve({
          runs: ref.agent?.runs ?? 0,
          refused: ref.agent?.refused ?? 0,
          busy: ref.agent?.current !== undefined,
        }),
    });
    const agent = (ref.agent = new GeneratorAgent(nc, svc, o));
    const id = svc.info().id;
    const on = (
      verb: Parameters<typeof agentSubject>[1],
      h: (m: ServiceMsg) => void | Promise<void>,
    ): void => {
      svc.addEndpoint(verb, {
        subject: agentSubject(id, verb),
        handler: (err, m) => {
          if (err) return;
          // A malformed message from any client on the bus is its problem, not the agent's.
          Promise.resolve()
            .then(() => h(m))
            .catch((e: unknown) => m.respondError(400, `bad ${verb} request: ${oneLine(e)}`));
        },
      });
    };
    on('plan', (m) => agent.onPlan(m, patterns));
    on('start', (m) => agent.onStart(m));
    on('stop', (m) => agent.onStop(m));
    on('result', (m) => agent.onResult(m));
    return agent;
  }

  get id(): string {
    return this.service.info().id;
  }

  /** Resolves when the NATS connection closes for good. */
  get closed(): Promise<void | Error> {
    return this.nc.closed();
  }

  async stop(): Promise<void> {
    this.current?.set.stop();
    this.current?.cancel(new Error('agent stopping'));
    await this.service.stop().catch(() => undefined);
    await this.nc.drain().catch(() => undefined);
  }

  /**
   * A plan, in phases: check it (readable, not busy, within limits, every target allowed),
   * sync the clock with its coordinator, prepare the shares (connected, then waiting for
   * the start instant); the run's own course is onRunning, onDone and onFailed.
   */
  private async onPlan(m: ServiceMsg, patterns: ReturnType<typeof parsePattern>[]): Promise<void> {
    const reply = (r: PlanReply): void => void m.respond(toJson(r));
    const refuse = (code: AgentRefusalCode, message: string): void => {
      this.refused++;
      this.o.log(`refused a plan: ${message}`);
      reply({ ok: false, code, message });
    };
    const checked = checkPlan(m.data, {
      name: this.o.name,
      allow: this.o.allow,
      patterns,
      limits: this.o.limits,
      busyWith: this.current?.runId ?? this.pending,
    });
    if ('code' in checked) return refuse(checked.code, checked.message);
    const { plan } = checked;
    let clock: ClockOffset;
    this.pending = plan.runId;
    try {
      clock = await this.syncClock(plan.clockSubject);
    } catch (e) {
      return refuse('E_CLOCK_SYNC', `no clock answer from the coordinator: ${oneLine(e)}`);
    } finally {
      this.pending = undefined;
    }
    this.o.log(
      // An audit line: what this agent was asked to load, how hard and how long (no secrets).
      `plan ${plan.runId}: ${planSummary(plan)}, ${plan.shards.length} share(s) of ${plan.shards[0]!.share.count}, clock offset ${clock.offsetMs.toFixed(3)} ms (rtt ${clock.rttMs.toFixed(3)} ms)`,
    );
    this.current = this.prepare(plan, clock, reply, refuse);
  }

  /** Connects the shares; the plan is answered once they are ready (or refused if not). */
  private prepare(
    plan: AgentPlan,
    clock: ClockOffset,
    reply: (r: PlanReply) => void,
    refuse: (code: AgentRefusalCode, message: string) => void,
  ): CurrentRun {
    let begin!: (ms: number) => void;
    let cancel!: (e: Error) => void;
    const startGate = new Promise<number>((res, rej) => ((begin = res), (cancel = rej)));
    startGate.catch(() => undefined); // a cancel before the shards are ready is not an error
    let replied = false;
    const set = runShards(plan.shards, () => {
      // Every share is connected: tell the coordinator, then wait for its start instant.
      replied = true;
      reply({ ok: true, clock });
      const t = setTimeout(
        () => cancel(new Error('no start from the coordinator')),
        plan.startWithinMs,
      );
      return startGate.finally(() => clearTimeout(t));
    });
    const run: CurrentRun = {
      runId: plan.runId,
      plan,
      set,
      offsetMs: clock.offsetMs,
      begin,
      cancel,
    };
    set.started.then(
      () => this.onRunning(run),
      (e: unknown) => {
        // Connecting to the target failed (the coordinator still waits for the plan reply),
        // or the start never came.
        if (!replied) refuse(isToolError(e) ? e.code : 'E_AGENT_FAILED', this.scrub(oneLine(e)));
        else this.o.log(`run ${plan.runId} dropped: ${oneLine(e)}`);
        this.finish(run);
      },
    );
    set.results.then(
      (results) => this.onDone(run, results),
      (e: unknown) => this.onFailed(run, e),
    );
    return run;
  }

  private onRunning(run: CurrentRun): void {
    this.runs++;
    run.heartbeat = setInterval(
      () => this.status(run, { state: 'live', live: run.set.live() }),
      run.plan.heartbeatMs,
    );
  }

  /** Results in the coordinator's clock, gzip-chunked, kept until fetched (or a while). */
  private onDone(run: CurrentRun, results: ShardResult[]): void {
    clearInterval(run.heartbeat);
    run.chunks = toChunks(
      {
        results: results.map((r) => ({
          ...r,
          snapshot: toCoordinatorClock(r.snapshot, run.offsetMs),
        })),
      },
      this.chunkBytes(),
    );
    const bytes = run.chunks.reduce((n, c) => n + c.length, 0);
    // The last live totals go with "done", so a coordinator's live metrics end exact.
    this.status(run, { state: 'done', chunks: run.chunks.length, bytes, live: run.set.live() });
    this.o.log(`run ${run.runId} done: ${results.length} share(s), ${bytes} bytes of result`);
    run.dropTimer = setTimeout(() => this.finish(run), KEEP_RESULT_MS);
  }

  private onFailed(run: CurrentRun, e: unknown): void {
    clearInterval(run.heartbeat);
    if (run.heartbeat) {
      const message = this.scrub(oneLine(e));
      this.status(run, {
        state: 'failed',
        code: isToolError(e) ? e.code : undefined,
        message,
      });
      this.o.log(`run ${run.runId} failed: ${message}`);
    }
    this.finish(run);
  }

  private onStart(m: ServiceMsg): void {
    const msg = fromJson<StartMsg>(m.data);
    const run = this.current;
    if (!run || run.runId !== msg.runId) {
      m.respond(toJson({ ok: false, message: `no prepared run ${msg.runId}` }));
      return;
    }
    // The coordinator's instant in this machine's clock.
    run.begin(msg.startMs - run.offsetMs);
    m.respond(toJson({ ok: true }));
  }

  private onStop(m: ServiceMsg): void {
    const { runId } = fromJson<{ runId: string }>(m.data);
    const run = this.current;
    if (run && run.runId === runId) {
      run.set.stop();
      run.cancel(new Error('stopped before the start'));
    }
    m.respond(toJson({ ok: true }));
  }

  private onResult(m: ServiceMsg): void {
    const q = fromJson<ResultRequest>(m.data);
    const run = this.current;
    const chunk = run?.runId === q.runId ? run.chunks?.[q.chunk] : undefined;
    if (!run || !chunk) {
      m.respondError(404, `no result chunk ${q.chunk} for run ${q.runId}`);
      return;
    }
    m.respond(chunk);
    if (q.chunk === run.chunks!.length - 1) this.finish(run);
  }

  private finish(run: CurrentRun): void {
    clearInterval(run.heartbeat);
    clearTimeout(run.dropTimer);
    if (this.current === run) this.current = undefined;
  }

  private status(run: CurrentRun, status: AgentStatus): void {
    const msg: StatusMsg = { agent: this.id, runId: run.runId, status };
    try {
      this.nc.publish(run.plan.statusSubject, toJson(msg));
    } catch {
      // The connection is closing (the agent is stopping): nobody is left to tell.
    }
  }

  private async syncClock(subject: string): Promise<ReturnType<typeof estimateOffset>> {
    const samples: ClockSample[] = [];
    for (let i = 0; i < CLOCK_ROUNDS; i++) {
      const sentMs = wallClock.now();
      const r = await this.nc.request(subject, undefined, { timeout: CLOCK_TIMEOUT_MS });
      const receivedMs = wallClock.now();
      samples.push({ sentMs, receivedMs, coordMs: fromJson<{ t: number }>(r.data).t });
    }
    return estimateOffset(samples);
  }

  /** NATS refuses messages over the server's max_payload; leave room for headers. */
  private chunkBytes(): number {
    return Math.max(16 * 1024, Math.min(512 * 1024, (this.nc.info?.max_payload ?? 1 << 20) - 4096));
  }

  private scrub(text: string): string {
    return scrubText(text, secretsOf(this.o.bus));
  }
}
