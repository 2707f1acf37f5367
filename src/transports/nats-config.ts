import { ToolError } from '../errors.js';
import { stripUndefined } from '../util/defined.js';
import { redactUrl } from '../util/redact.js';

/**
 * NATS connection settings as plain data (worker threads rebuild the connection from it).
 * Secrets are values in memory only: they are read from flags, environment variables or
 * files by the CLI, never echoed into results, and scrubbed from error messages.
 */
export interface NatsAuth {
  user?: string;
  pass?: string;
  token?: string;
  /** nkey seed text (SU...). */
  nkeySeed?: string;
  /** Path to a .creds file (JWT + seed). */
  credsFile?: string;
}

export interface NatsConnConfig {
  servers: string[];
  auth: NatsAuth;
  tls?: { ca?: string; cert?: string; key?: string };
  name?: string;
}

/** Splits credentials out of nats://user:pass@host URLs. */
export function splitNatsUrls(
  urls: string[],
  what = '--target',
): { servers: string[]; auth: NatsAuth } {
  const auth: NatsAuth = {};
  const servers = urls.map((raw) => {
    let u: URL;
    try {
      u = new URL(raw.includes('://') ? raw : `nats://${raw}`);
    } catch {
      throw new ToolError('E_USAGE', `${what}: "${redactUrl(raw)}" is not a valid NATS URL`);
    }
    if (!['nats:', 'tls:'].includes(u.protocol))
      throw new ToolError('E_USAGE', `${what}: unsupported scheme ${u.protocol} for NATS`);
    if (u.username && !u.password) auth.token = decodeURIComponent(u.username);
    else if (u.username) {
      auth.user = decodeURIComponent(u.username);
      auth.pass = decodeURIComponent(u.password);
    }
    return `${u.protocol}//${u.host}`;
  });
  return { servers, auth };
}

/**
 * A connection to a comma-separated server list: credentials in the URLs, overridden by the
 * explicit ones that are set (an unset explicit field never erases a URL credential).
 */
export function natsConnFrom(
  urls: string,
  explicit: NatsAuth,
  what = '--target',
): Pick<NatsConnConfig, 'servers' | 'auth'> {
  const { servers, auth } = splitNatsUrls(urls.split(','), what);
  return { servers, auth: { ...auth, ...stripUndefined(explicit) } };
}

export function secretsOf(cfg: NatsConnConfig): string[] {
  return [cfg.auth.pass, cfg.auth.token, cfg.auth.nkeySeed].filter((x): x is string => !!x);
}
