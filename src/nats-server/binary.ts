import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ToolError } from '../errors.js';

/** nats-server from $NATS_SERVER_BIN or PATH (plus the sbin directories Debian uses). */
const SBIN = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

export function findNatsServer(env = process.env, extraDirs: readonly string[] = SBIN): string {
  const explicit = env.NATS_SERVER_BIN;
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new ToolError(
      'E_NATS_SERVER_MISSING',
      `NATS_SERVER_BIN=${explicit} is not an executable file`,
    );
  }
  const dirs = [...(env.PATH ?? '').split(delimiter), ...extraDirs];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, 'nats-server');
    if (isExecutable(p)) return p;
  }
  throw new ToolError(
    'E_NATS_SERVER_MISSING',
    'nats-server not found: install it (Debian/Ubuntu: apt-get install -y nats-server) or set NATS_SERVER_BIN',
  );
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
