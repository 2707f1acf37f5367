import { readFile } from 'node:fs/promises';
import { ToolError, oneLine } from '../errors.js';
import type { ReplyCheck } from './classify.js';
import { redactUrl } from '../util/redact.js';
import { compileTemplate, type Template } from './template.js';

/** One kind of request of a mix: its path is relative to the target's origin. */
export interface HttpRequestSpec {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

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
  /** A weighted mix: request kind k is kinds[k] (the driver picks k); else url/method/body. */
  kinds?: HttpRequestSpec[];
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

/** A request kind ready to send: templates compiled once. */
export interface CompiledHttpRequest {
  method: string;
  path: Template;
  /** Lower-case names; host, content-length and connection are the engine's own. */
  headers: [string, Template][];
  body: Template | undefined;
  /** Every part is constant: the engine may format the request once. */
  constant: boolean;
}

/**
 * The request of each kind for either engine: the target's headers (with credentials from
 * its URL) under each kind's own, a JSON content type when a body has none.
 */
export function compileHttpRequests(cfg: HttpConfig): {
  url: URL;
  requests: CompiledHttpRequest[];
} {
  const { url, headers } = parseHttpTarget(cfg.url, cfg.headers);
  const specs: HttpRequestSpec[] = cfg.kinds ?? [
    { method: cfg.method, path: rawPath(cfg.url), headers: {}, body: cfg.body },
  ];
  const requests = specs.map((spec, k) => {
    const where = cfg.kinds ? `requests[${k}] ` : '';
    const merged = new Map<string, [string, string]>();
    for (const [n, v] of [...Object.entries(headers), ...Object.entries(spec.headers)])
      merged.set(n.toLowerCase(), [n, v]);
    if (spec.body !== undefined && !merged.has('content-type'))
      merged.set('content-type', ['content-type', 'application/json']);
    for (const own of ['host', 'content-length', 'connection']) merged.delete(own);
    const body = spec.body !== undefined ? compileTemplate(spec.body, `${where}body`) : undefined;
    const path = compileTemplate(spec.path, `${where}path`);
    const hs = [...merged].map(([lower, [n, v]]): [string, Template] => [
      lower,
      compileTemplate(v, `${where}header ${n}`),
    ]);
    return {
      method: spec.method,
      path,
      headers: hs,
      body,
      constant:
        path.constant !== undefined &&
        hs.every(([, t]) => t.constant !== undefined) &&
        (!body || body.constant !== undefined),
    };
  });
  return { url, requests };
}

/** The target's path and query as written, so templates in it ({{data.id}}) survive. */
function rawPath(raw: string): string {
  const start = raw.indexOf('/', raw.indexOf('//') + 2);
  if (start < 0) return '/';
  const path = raw.slice(start).replace(/#.*$/, '');
  return path.replace(/[^\x21-\x7e]/g, encodeURIComponent);
}
