import { readFile } from 'node:fs/promises';
import {
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';
import { ToolError, oneLine } from '../errors.js';
import { stripUndefined } from '../util/defined.js';
import { redactUrl, scrubText } from '../util/redact.js';

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

export async function connectNats(cfg: NatsConnConfig): Promise<NatsConnection> {
  const opts: NodeConnectionOptions = {
    servers: cfg.servers,
    name: cfg.name ?? 'bench-router',
    // The load generator reports failures; it must not hide them behind reconnect waits.
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 10_000,
    timeout: 5000,
  };
  const a = cfg.auth;
  try {
    if (a.user !== undefined) {
      opts.user = a.user;
      opts.pass = a.pass;
    }
    if (a.token !== undefined) opts.token = a.token;
    if (a.nkeySeed !== undefined)
      opts.authenticator = nkeyAuthenticator(new TextEncoder().encode(a.nkeySeed.trim()));
    if (a.credsFile !== undefined)
      opts.authenticator = credsAuthenticator(await readFile(a.credsFile));
  } catch (e) {
    throw new ToolError(
      'E_INPUT_READ',
      `NATS credentials: ${scrubText(oneLine(e), secretsOf(cfg))}`,
    );
  }
  if (cfg.tls) {
    opts.tls = {
      ...(cfg.tls.ca ? { caFile: cfg.tls.ca } : {}),
      ...(cfg.tls.cert ? { certFile: cfg.tls.cert } : {}),
      ...(cfg.tls.key ? { keyFile: cfg.tls.key } : {}),
    };
  }
  try {
    return await connect(opts);
  } catch (e) {
    throw new ToolError(
      'E_TARGET_UNREACHABLE',
      `NATS ${cfg.servers.join(',')} is unreachable: ${describeNatsError(e, secretsOf(cfg))}`,
    );
  }
}

function describeNatsError(e: unknown, secrets: string[]): string {
  const msg = scrubText(oneLine(e), secrets);
  const code = (e as { code?: string }).code;
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(msg)) return 'connection refused';
  if (/tls|TLS|certificate|secure/.test(msg)) return `TLS: ${msg}`;
  if (/authoriz|authentic/i.test(msg)) return `authorization failed: ${msg}`;
  return msg;
}
