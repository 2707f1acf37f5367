import { readFile } from 'node:fs/promises';
import {
  connect,
  credsAuthenticator,
  errors,
  nkeyAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';
import { ToolError, oneLine } from '../errors.js';
import { scrubText } from '../util/redact.js';
import { secretsOf, type NatsConnConfig } from './nats-config.js';

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

/**
 * What went wrong, by nats.js's error classes (authorization) and Node's error codes (a
 * refused connection, TLS verification); nats.js reports TLS negotiation failures ("server
 * does not support 'tls'") as a ConnectionError with no code, so those are told by message.
 */
function describeNatsError(e: unknown, secrets: string[]): string {
  const msg = scrubText(oneLine(e), secrets);
  const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = String((e as { code?: unknown }).code ?? cause?.code ?? '');
  if (
    e instanceof errors.AuthorizationError ||
    e instanceof errors.UserAuthenticationExpiredError ||
    e instanceof errors.PermissionViolationError
  )
    return `authorization failed: ${msg}`;
  if (code === 'ECONNREFUSED') return 'connection refused';
  const tlsCode = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_OSSL/.test(code);
  if (tlsCode || (e instanceof errors.ConnectionError && /\btls\b/i.test(msg))) {
    const detail = tlsCode && typeof cause?.message === 'string' ? cause.message : '';
    return `TLS: ${msg}${detail && !msg.includes(detail) ? `: ${scrubText(detail, secrets)}` : ''}`;
  }
  return msg;
}
