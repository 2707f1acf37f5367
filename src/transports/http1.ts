import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ToolError } from '../errors.js';
import { OK, type Outcome } from '../record/recorder.js';
import { redactUrl } from '../util/redact.js';
import { classifyHttpStatus, classifyNetworkError, classifyReply } from './classify.js';
import { Http1ResponseParser, type ParsedResponse } from './http1-parser.js';
import type { DataRow, TemplateContext } from './template.js';
import type { Done, Transport } from './transport.js';
import {
  compileHttpRequests,
  describeNetErr,
  loadTlsOptions,
  type CompiledHttpRequest,
  type HttpConfig,
} from './http-target.js';
import { Fifo } from '../util/fifo.js';

/**
 * The load generator's own HTTP/1.1 client: a fixed pool of keep-alive connections, one
 * request at a time on each (no pipelining, so one slow answer never delays another), the
 * request written as one preformatted string. A general-purpose client (undici) costs about
 * three times more per request, which capped one thread at ~25k req/s open loop; this one
 * keeps the generator's own cost below the target's. `--http-engine undici` stays available.
 */
interface Pending {
  payload: string;
  done: Done;
  ended: boolean;
  conn: Conn | undefined;
}

interface Conn {
  sock: Socket | undefined;
  ready: boolean;
  current: Pending | undefined;
  /** On the idle stack, ready for a request. */
  idle: boolean;
  parser: Http1ResponseParser;
}

const RECONNECT_BACKOFF_MS = 100;

export class Http1Transport implements Transport {
  private readonly conns: Conn[] = [];
  /** Connections ready for a request, most recently used on top (kept warm). Entries whose
   * connection was dropped meanwhile are skipped when popped. */
  private readonly idleStack: Conn[] = [];
  private idleCount = 0;
  /** Requests waiting for a free connection, oldest first (only while one reconnects: the
   * driver sends no more than available()). */
  private readonly queue = new Fifo<Pending>();
  /** One read buffer for every plain-TCP connection: answers are parsed as they arrive,
   * without a Buffer and a stream event per read. */
  private readonly readBuf = Buffer.allocUnsafe(64 * 1024);
  private readonly host: string;
  private readonly port: number;
  private readonly secure: boolean;
  /** SNI: a host name only; an IP address is not a valid server name. */
  private readonly servername: string | undefined;
  /** `host:port` for the Host header. */
  private readonly authority: string;
  private readonly requests: CompiledHttpRequest[];
  /** Per kind: the whole request, formatted once, when nothing in it varies. */
  private readonly constantPayloads: (string | undefined)[];
  private readonly ctx: TemplateContext;
  private tlsOptions: Record<string, unknown> = {};
  private onAvailable: () => void = () => undefined;
  private closed = false;

  constructor(private readonly cfg: HttpConfig) {
    const { url: u, requests } = compileHttpRequests(cfg);
    this.secure = u.protocol === 'https:';
    this.host = u.hostname.replace(/^\[|\]$/g, '');
    this.servername = isIP(this.host) ? undefined : this.host;
    this.port = Number(u.port) || (this.secure ? 443 : 80);
    this.authority = u.host;
    this.ctx = { seq: 0, runId: cfg.runId, shard: cfg.shard, tenants: cfg.tenants };
    this.requests = requests;
    this.constantPayloads = requests.map((r) => (r.constant ? this.build(r) : undefined));
  }

  private build(r: CompiledHttpRequest): string {
    const ctx = this.ctx;
    let s = `${r.method} ${r.path(ctx)} HTTP/1.1\r\nhost: ${this.authority}\r\n`;
    for (const [k, t] of r.headers) s += `${k}: ${t(ctx)}\r\n`;
    if (r.body) {
      const b = r.body(ctx);
      return `${s}content-length: ${Buffer.byteLength(b)}\r\n\r\n${b}`;
    }
    return `${s}\r\n`;
  }

  async open(): Promise<void> {
    this.tlsOptions = await loadTlsOptions(this.cfg.tls);
    // Preflight: every connection of the pool is opened before the run, so a missing
    // target fails now (exit 2) and connection set-up never lands inside the measurement.
    const opened = Array.from({ length: this.cfg.connections }, () => this.connect());
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
        Math.min(this.cfg.timeoutMs, 10_000),
      ).unref(),
    );
    const results = await Promise.allSettled(opened.map((o) => Promise.race([o, timeout])));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.close();
      throw new ToolError(
        'E_TARGET_UNREACHABLE',
        `target ${redactUrl(this.cfg.url)} is unreachable: ${describeNetErr(failed.reason as Error)}`,
      );
    }
  }

  send(seq: number, done: Done, kind = 0, row?: DataRow): () => void {
    let payload = this.constantPayloads[kind];
    if (payload === undefined) {
      this.ctx.seq = seq;
      this.ctx.row = row;
      payload = this.build(this.requests[kind]!);
    }
    const p: Pending = { payload, done, ended: false, conn: undefined };
    const conn = this.takeIdle();
    if (conn) this.assign(conn, p);
    else this.queue.push(p);
    return () => {
      if (p.ended) return;
      p.ended = true;
      // HTTP/1.1 cannot cancel a request on the wire. Dropping the connection at once would
      // make a slow target slower (reconnect storms when it comes back), so the late answer
      // is awaited and ignored; only a connection still silent one more timeout later goes.
      const conn = p.conn;
      if (!conn) return;
      setTimeout(() => {
        if (conn.current === p) this.drop(conn);
      }, this.cfg.timeoutMs).unref();
    };
  }

  setAvailableListener(fn: () => void): void {
    this.onAvailable = fn;
  }

  available(): number {
    return Math.max(0, this.idleCount - this.queue.size);
  }

  private takeIdle(): Conn | undefined {
    for (let c = this.idleStack.pop(); c; c = this.idleStack.pop()) {
      if (c.idle) {
        c.idle = false;
        this.idleCount--;
        return c;
      }
    }
    return undefined;
  }

  /** The connection is free: it takes the oldest waiting request, or goes idle. */
  private release(conn: Conn): void {
    // A completion callback may already have handed this connection a new request.
    if (conn.current || !conn.ready || conn.idle) return;
    for (let p = this.queue.shift(); p; p = this.queue.shift()) {
      if (!p.ended) {
        this.assign(conn, p);
        return;
      }
    }
    conn.idle = true;
    this.idleCount++;
    this.idleStack.push(conn);
  }

  private assign(conn: Conn, p: Pending): void {
    conn.current = p;
    p.conn = conn;
    conn.sock!.write(p.payload);
  }

  private connect(existing?: Conn): Promise<void> {
    const conn: Conn = existing ?? {
      sock: undefined,
      ready: false,
      current: undefined,
      idle: false,
      parser: undefined as never,
    };
    if (!existing) this.conns.push(conn);
    conn.parser = new Http1ResponseParser(this.cfg.replyCheck.enabled, (r) =>
      this.onResponse(conn, r),
    );
    return new Promise<void>((resolve, reject) => {
      const onConnect = (): void => {
        conn.ready = true;
        resolve();
        this.release(conn);
        if (existing) this.onAvailable(); // a replaced connection is back
      };
      const feed = (d: Buffer): void => {
        try {
          conn.parser.push(d);
        } catch (e) {
          this.fail(conn, Object.assign(e as Error, { code: 'HTTP_PARSE' }));
        }
      };
      const sock = this.secure
        ? tlsConnect(
            {
              host: this.host,
              port: this.port,
              servername: this.servername,
              ALPNProtocols: ['http/1.1'],
              ...this.tlsOptions,
            },
            onConnect,
          )
        : netConnect(
            {
              host: this.host,
              port: this.port,
              onread: {
                buffer: this.readBuf,
                callback: (n: number, buf: Uint8Array) => {
                  if (conn.sock === sock) feed((buf as Buffer).subarray(0, n));
                  return true;
                },
              },
            },
            onConnect,
          );
      conn.sock = sock;
      sock.setNoDelay(true);
      if (this.secure) sock.on('data', feed);
      sock.on('end', () => {
        if (conn.sock === sock) conn.parser.end();
      });
      sock.on('error', (e) => {
        if (!conn.ready) reject(e);
        if (conn.sock === sock) this.fail(conn, e);
      });
      sock.on('close', () => {
        if (conn.sock === sock)
          this.fail(conn, Object.assign(new Error('socket closed'), { code: 'ECONNRESET' }));
      });
    });
  }

  private onResponse(conn: Conn, r: ParsedResponse): void {
    const p = conn.current;
    conn.current = undefined;
    // Free the connection first, so the driver can use it from the completion callback.
    if (r.close) this.drop(conn);
    else this.release(conn);
    if (p && !p.ended) {
      p.ended = true;
      p.done(this.classify(r));
    } else if (!r.close) this.onAvailable(); // a late answer freed the connection
  }

  private classify(r: ParsedResponse): Outcome {
    const bad = classifyHttpStatus(r.status);
    if (bad) return bad;
    return r.body ? classifyReply(r.body, this.cfg.replyCheck) : OK;
  }

  /** The connection broke: its request (if any) fails with the cause, and it is replaced. */
  private fail(conn: Conn, e: Error): void {
    const p = conn.current;
    conn.current = undefined;
    this.drop(conn);
    if (p && !p.ended) {
      p.ended = true;
      p.done(classifyNetworkError(e));
    }
  }

  private drop(conn: Conn): void {
    const sock = conn.sock;
    conn.sock = undefined;
    conn.ready = false;
    if (conn.idle) {
      conn.idle = false;
      this.idleCount--;
    }
    // Every caller has already ended the request on it (failed, answered, or timed out).
    conn.current = undefined;
    sock?.destroy();
    if (this.closed) return;
    this.connect(conn).catch((e: Error) => this.connectFailed(conn, e));
  }

  private connectFailed(conn: Conn, e: Error): void {
    // With no working connection left, waiting requests fail now with the cause instead of
    // timing out later; then try again after a pause.
    if (!this.conns.some((c) => c.ready)) {
      const outcome = classifyNetworkError(e);
      for (let p = this.queue.shift(); p; p = this.queue.shift()) {
        if (!p.ended) {
          p.ended = true;
          p.done(outcome);
        }
      }
    }
    conn.sock = undefined;
    setTimeout(() => {
      if (!this.closed && !conn.sock)
        this.connect(conn).catch((err: Error) => this.connectFailed(conn, err));
    }, RECONNECT_BACKOFF_MS).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.conns) {
      c.sock?.destroy();
      c.sock = undefined;
      c.ready = false;
      c.idle = false;
    }
    this.idleCount = 0;
  }
}
