import { readFile } from 'node:fs/promises';
import { ToolError, oneLine } from '../errors.js';
import type { ReplyCheck } from './classify.js';
import { redactUrl } from '../util/redact.js';

/** One HTTP target for either engine (`http.ts` undici, `http1.ts` the generator's own). */
export interface HttpConfig {
  /** `fast`: the generator's own HTTP/1.1 client; `undici`: Node's general-purpose client. */
  engine: 'fast' | 'undici';
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  tenants: string[];
  connections: number;
  timeoutMs: number;
  replyCheck: ReplyCheck;
  tls: { ca?: string; cert?: string; key?: string; insecure?: boolean };
  runId: string;
  shard: number;
}

export function describeNetErr(e: Error): string {
  const code = (e as { code?: string }).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ETIMEDOUT') return 'connection timed out';
  return oneLine(e);
}

/**
 * Parses an HTTP(S) target URL for either engine. Credentials in the URL become a Basic
 * authorization header (unless one is given); the URL itself is only ever shown redacted.
 */
export function parseHttpTarget(
  raw: string,
  headers: Record<string, string>,
): { url: URL; headers: Record<string, string> } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ToolError('E_USAGE', `--target: "${redactUrl(raw)}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ToolError('E_USAGE', `--target: unsupported scheme ${url.protocol} for HTTP`);
  }
  const out = { ...headers };
  if (
    (url.username || url.password) &&
    !Object.keys(out).some((k) => k.toLowerCase() === 'authorization')
  ) {
    const token = Buffer.from(
      `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
    ).toString('base64');
    out.authorization = `Basic ${token}`;
  }
  return { url, headers: out };
}

/** TLS files read once for either engine: CA, client certificate and key, verification. */
export async function loadTlsOptions(tls: HttpConfig['tls']): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  try {
    if (tls.ca) out.ca = await readFile(tls.ca);
    if (tls.cert) out.cert = await readFile(tls.cert);
    if (tls.key) out.key = await readFile(tls.key);
  } catch (e) {
    throw new ToolError('E_INPUT_READ', `TLS file: ${oneLine(e)}`);
  }
  if (tls.insecure) out.rejectUnauthorized = false;
  return out;
}
