import { readFile } from 'node:fs/promises';
import {
  connect,
  credsAuthenticator,
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

function describeNatsError(e: unknown, secrets: string[]): string {
  const msg = scrubText(oneLine(e), secrets);
  const code = (e as { code?: string }).code;
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(msg)) return 'connection refused';
  if (/tls|TLS|certificate|secure/.test(msg)) return `TLS: ${msg}`;
  if (/authoriz|authentic/i.test(msg)) return `authorization failed: ${msg}`;
  return msg;
}
