import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ToolError } from '../errors.js';
import { stopChild } from '../util/stop-child.js';
import { startNatsServer, type RunningNatsServer } from '../nats-server/server.js';
import type { NatsConnConfig } from '../transports/nats-config.js';
import { CODE_DIR } from '../util/code-dir.js';

/**
 * `--local-agents N`: a fleet on this machine for trying agents out and for tests. A local
 * nats-server that requires a password (made up for this run, handed to the agents through
 * their environment, never written anywhere but the server's private config), and N agent
 * processes on it, each allowed to load loopback targets only.
 */
export interface LocalFleet {
  bus: NatsConnConfig;
  stop(): Promise<void>;
}

const USER = 'bench-agents';
const PASSWORD_ENV = 'BENCH_AGENTS_PASSWORD';
const CLI = join(CODE_DIR, 'cli', 'bench-router.js');

export async function startLocalFleet(n: number): Promise<LocalFleet> {
  const pass = randomBytes(18).toString('base64url');
  const server: RunningNatsServer = await startNatsServer({
    extraConfig: `authorization { user: "${USER}", password: "${pass}" }`,
  });
  const agents: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(agents.map((a) => stopChild(a, 3000)));
    await server.stop();
  };
  try {
    for (let i = 0; i < n; i++) {
      const child = spawn(
        process.execPath,
        [
          CLI,
          'agent',
          '--nats',
          server.url,
          '--user',
          USER,
          '--password-env',
          PASSWORD_ENV,
          '--name',
          `local-${i + 1}`,
        ],
        { env: { ...process.env, [PASSWORD_ENV]: pass }, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let tail = '';
      child.stderr!.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-2000)));
      child.once('exit', (code, signal) => {
        if (code && !signal)
          process.stderr.write(
            `local agent ${i + 1} exited with code ${code}: ${tail.trim().split('\n').pop()}\n`,
          );
      });
      agents.push(child);
    }
  } catch (e) {
    await stop();
    throw new ToolError('E_TARGET_START', `local agents did not start: ${String(e)}`);
  }
  return { bus: { servers: [server.url], auth: { user: USER, pass } }, stop };
}
