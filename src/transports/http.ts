import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Pool, type Dispatcher } from 'undici';
import { ToolError } from '../errors.js';
import { OK } from '../record/recorder.js';
import { redactUrl } from '../util/redact.js';
import { classifyHttpStatus, classifyNetworkError, classifyReply } from './classify.js';
import type { DataRow, TemplateContext } from './template.js';
import type { Done, Transport } from './transport.js';
import {
  compileHttpRequests,
  describeNetErr,
  loadTlsOptions,
  type CompiledHttpRequest,
  type HttpConfig,
} from './http-target.js';

/**
 * HTTP/1.1 over an undici keep-alive pool (`--http-engine undici`), driven through the
 * low-level dispatch API: no promise or stream per request. About 25k req/s open loop on
 * one thread; the default engine (http1.ts) goes about three times further.
 */
export class HttpTransport implements Transport {
  private pool: Pool | undefined;
  private readonly origin: string;
  private readonly requests: CompiledHttpRequest[];
  private readonly ctx: TemplateContext;
  /** Dispatched requests undici has not finished with yet. */
  private active = 0;
  private onAvailable: () => void = () => undefined;

  constructor(private readonly cfg: HttpConfig) {
    const { url, requests } = compileHttpRequests(cfg);
    this.origin = url.origin;
    this.requests = requests;
    this.ctx = { seq: 0, runId: cfg.runId, shard: cfg.shard, tenants: cfg.tenants };
  }

  async open(): Promise<void> {
    const connect = await loadTlsOptions(this.cfg.tls);
    this.pool = new Pool(this.origin, {
      connections: this.cfg.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: this.cfg.timeoutMs,
      bodyTimeout: this.cfg.timeoutMs,
      connectTimeout: Math.min(this.cfg.timeoutMs, 10_000),
      connect,
    });
    // Preflight: a TCP (and TLS) connection proves the target is there before the run,
    // without sending it a request that would not be counted.
    const u = new URL(this.origin);
    const port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
    try {
      await connectOnce(
        u.hostname.replace(/^\[|\]$/g, ''),
        port,
        u.protocol === 'https:',
        {
          ...connect,
          ...(isIP(u.hostname) ? {} : { servername: u.hostname }),
        },
        Math.min(this.cfg.timeoutMs, 10_000),
      );
    } catch (e) {
      await this.close();
      throw new ToolError(
        'E_TARGET_UNREACHABLE',
        `target ${redactUrl(this.cfg.url)} is unreachable: ${describeNetErr(e as Error)}`,
      );
    }
  }

  send(seq: number, done: Done, kind = 0, row?: DataRow): () => void {
    const pool = this.pool!;
    const ctx = this.ctx;
    ctx.seq = seq;
    ctx.row = row;
    const r = this.requests[kind]!;
    const headers: Record<string, string> = {};
    for (const [k, t] of r.headers) headers[k] = t(ctx);
    const body = r.body ? r.body(ctx) : undefined;
    const check = this.cfg.replyCheck;
    let controller: { abort(reason: Error): void } | undefined;
    let aborted = false;
    let status = 0;
    let chunks: Buffer[] | undefined;
    let settled = false;
    // undici ends every dispatch with exactly one of these, an aborted one included.
    const settle = (): void => {
      if (!settled) {
        settled = true;
        this.active--;
        if (aborted) this.onAvailable(); // a timed-out request let go of its connection
      }
    };
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (aborted) c.abort(new Error('aborted'));
      },
      onResponseStart(_c, statusCode) {
        status = statusCode;
        if (check.enabled && statusCode >= 200 && statusCode < 300) chunks = [];
      },
      onResponseData(_c, chunk) {
        chunks?.push(chunk);
      },
      onResponseEnd() {
        settle();
        if (aborted) return;
        const bad = classifyHttpStatus(status);
        if (bad) return done(bad);
        if (!chunks) return done(OK);
        done(classifyReply(Buffer.concat(chunks), check));
      },
      onResponseError(_c, e) {
        settle();
        if (!aborted) done(classifyNetworkError(e));
      },
    };
    this.active++;
    pool.dispatch(
      { origin: this.origin, path: r.path(ctx), method: r.method, headers, body },
      handler,
    );
    return () => {
      aborted = true;
      controller?.abort(new Error('timeout'));
    };
  }

  setAvailableListener(fn: () => void): void {
    this.onAvailable = fn;
  }

  /** One request per connection (no pipelining): a timed-out request holds its connection
   * until undici has aborted it. */
  available(): number {
    return this.cfg.connections - this.active;
  }

  async close(): Promise<void> {
    const p = this.pool;
    this.pool = undefined;
    if (p) await p.destroy().catch(() => undefined);
  }
}

function connectOnce(
  host: string,
  port: number,
  secure: boolean,
  opts: Record<string, unknown>,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = secure
      ? tlsConnect({ host, port, ...opts }, () => done())
      : netConnect({ host, port }, () => done());
    const timer = setTimeout(
      () => fail(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
    function done(): void {
      clearTimeout(timer);
      sock.destroy();
      resolve();
    }
    function fail(e: Error): void {
      clearTimeout(timer);
      sock.destroy();
      reject(e);
    }
    sock.once('error', fail);
  });
}
