import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ToolError } from '../errors.js';
import { freePort } from '../util/free-port.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { stopChild } from '../util/stop-child.js';
import { findNatsServer } from './binary.js';
import { makeCerts, type CertSet } from './certs.js';

/**
 * A local nats-server for tests, demos and `bench-router nats start`: free ports, JetStream
 * on with its own store, monitoring on, health-checked before it is handed out.
 */
export interface NatsServerState {
  pid: number;
  url: string;
  monitorUrl: string;
  dir: string;
  tls?: CertSet;
  version?: string;
}

export interface StartOptions {
  dir?: string;
  tls?: boolean;
  /** Detached: outlives this process (the lifecycle command); otherwise a child we own. */
  detached?: boolean;
  extraConfig?: string;
}

export interface RunningNatsServer extends NatsServerState {
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startNatsServer(o: StartOptions = {}): Promise<RunningNatsServer> {
  const bin = findNatsServer();
  const dir = resolve(o.dir ?? (await mkdtemp(join(tmpdir(), 'bench-nats-'))));
  await mkdir(join(dir, 'jetstream'), { recursive: true });
  const [port, monitor] = [await freePort(), await freePort()];
  const tls = o.tls ? await makeCerts(join(dir, 'tls')) : undefined;
  const conf = [
    `listen: 127.0.0.1:${port}`,
    `http: 127.0.0.1:${monitor}`,
    `pid_file: "${join(dir, 'nats-server.pid')}"`,
    `jetstream { store_dir: "${join(dir, 'jetstream')}" }`,
    ...(tls
      ? [
          `tls { cert_file: "${tls.cert}", key_file: "${tls.key}", ca_file: "${tls.ca}", timeout: 5 }`,
        ]
      : []),
    o.extraConfig ?? '',
  ].join('\n');
  await writeFile(join(dir, 'nats-server.conf'), `${conf}\n`);
  const log = openSync(join(dir, 'nats-server.log'), 'a');
  const child = spawn(bin, ['-c', join(dir, 'nats-server.conf')], {
    detached: o.detached ?? false,
    stdio: ['ignore', log, log],
  });
  if (o.detached) child.unref();
  const monitorUrl = `http://127.0.0.1:${monitor}`;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const healthy = await waitHealthy(monitorUrl, 10_000, exited);
  if (!healthy) {
    child.kill('SIGKILL');
    const tail = existsSync(join(dir, 'nats-server.log'))
      ? readFileSync(join(dir, 'nats-server.log'), 'utf8').trim().split('\n').pop()
      : '';
    throw new ToolError(
      'E_NATS_SERVER_START',
      `nats-server did not become healthy: ${tail ?? 'no log'}`,
    );
  }
  const varz = await fetchJson(`${monitorUrl}/varz`).catch(() => undefined);
  const state: NatsServerState = {
    pid: child.pid!,
    url: `${tls ? 'tls' : 'nats'}://127.0.0.1:${port}`,
    monitorUrl,
    dir,
    ...(tls ? { tls } : {}),
    ...(typeof varz?.version === 'string' ? { version: varz.version } : {}),
  };
  return {
    ...state,
    child,
    stop: async () => {
      await stopChild(child, 5000);
      if (!o.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitHealthy(
  monitorUrl: string,
  timeoutMs: number,
  exited: Promise<number | null>,
): Promise<boolean> {
  let dead = false;
  void exited.then(() => (dead = true));
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && !dead) {
    try {
      const r = await fetch(`${monitorUrl}/healthz?js-enabled-only=true`, {
        signal: AbortSignal.timeout(1000),
      });
      if (r.ok) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

export async function fetchJson(url: string): Promise<Record<string, unknown>> {
  const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return (await r.json()) as Record<string, unknown>;
}

/* ---- the lifecycle command: state in a directory, idempotent start and stop ---- */

const stateFile = (dir: string): string => join(resolve(dir), 'state.json');

export function readState(dir: string): NatsServerState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(dir), 'utf8')) as NatsServerState;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function lifecycleStart(
  dir: string,
  tls: boolean,
): Promise<{ state: NatsServerState; already: boolean }> {
  const existing = readState(dir);
  if (existing && alive(existing.pid)) {
    const ok = await fetch(`${existing.monitorUrl}/healthz`, {
      signal: AbortSignal.timeout(1000),
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { state: existing, already: true };
  }
  const s = await startNatsServer({ dir, tls, detached: true });
  const state: NatsServerState = {
    pid: s.pid,
    url: s.url,
    monitorUrl: s.monitorUrl,
    dir: s.dir,
    ...(s.tls ? { tls: s.tls } : {}),
    ...(s.version ? { version: s.version } : {}),
  };
  await writeFileAtomic(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`);
  return { state, already: false };
}

export async function lifecycleStop(dir: string): Promise<boolean> {
  const s = readState(dir);
  if (!s || !alive(s.pid)) {
    await rm(stateFile(dir), { force: true });
    return false;
  }
  process.kill(s.pid, 'SIGTERM');
  const end = Date.now() + 10_000;
  while (alive(s.pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  if (alive(s.pid)) process.kill(s.pid, 'SIGKILL');
  await rm(stateFile(dir), { force: true });
  return true;
}

export async function lifecycleStatus(dir: string): Promise<Record<string, unknown> | undefined> {
  const s = readState(dir);
  if (!s || !alive(s.pid)) return undefined;
  const v = await fetchJson(`${s.monitorUrl}/varz`).catch(() => undefined);
  return {
    pid: s.pid,
    url: s.url,
    monitor: s.monitorUrl,
    tls: !!s.tls,
    version: v?.version ?? s.version ?? null,
    connections: v?.connections ?? null,
    mem_mb: typeof v?.mem === 'number' ? Math.round((v.mem / 1048576) * 10) / 10 : null,
    cpu_pct: v?.cpu ?? null,
    jetstream: !!v?.jetstream,
    in_msgs: v?.in_msgs ?? null,
    out_msgs: v?.out_msgs ?? null,
    slow_consumers: v?.slow_consumers ?? null,
  };
}
