import { randomBytes } from 'node:crypto';
import {
  createInbox,
  errors,
  headers as natsHeaders,
  type Msg,
  type NatsConnection,
  type MsgHdrs,
} from '@nats-io/transport-node';
import { OK, type Outcome } from '../record/recorder.js';
import { classifyReply, TIMEOUT, type ReplyCheck } from './classify.js';
import { connectNats } from './nats-connect.js';
import type { NatsConnConfig } from './nats-config.js';
import { compileTemplate, type DataRow, type Template, type TemplateContext } from './template.js';
import type { Done, Transport } from './transport.js';
import { SeqTable } from '../util/seq-table.js';
import { wallClock } from '../timing/clock.js';

/**
 * NATS behind the one Transport interface: request/reply (latency to the reply), publish
 * (latency to the server's acknowledgement of a flush, batched per turn of the event loop),
 * and JetStream publish (latency to the stream's PubAck).
 *
 * Request/reply does not use nats.js's `request()`: its promise, timer and per-request
 * subscription bookkeeping capped one thread at ~30k req/s, a quarter of what the server
 * and a Go client do. Every request is a plain publish with a reply subject under one
 * wildcard inbox of ours, answered through one subscription callback and matched by the
 * request number in the subject; timeouts are the driver's (one sweeper for all), and a
 * status reply (503: no responders) is classified as `request()` did.
 */
export interface NatsConfig extends NatsConnConfig {
  /** `consume` reads instead of sending: a shard uses NatsConsumeSource, not this transport. */
  mode: 'request' | 'publish' | 'jetstream' | 'consume';
  subject: string;
  /** Spread over SUBJECT.0 .. SUBJECT.N-1 by request number. */
  subjects?: number;
  /** A payload of this many random bytes (made once) instead of the body template. */
  payloadSize?: number;
  body?: string;
  headers: Record<string, string>;
  tenants: string[];
  timeoutMs: number;
  replyCheck: ReplyCheck;
  /** Inject a fresh W3C traceparent header per request. */
  traceparent: boolean;
  /**
   * Publish mode: a request ends when our own subscriber receives the message (end-to-end
   * latency through the server), matched by a sequence header, instead of at the flush.
   */
  e2e?: boolean;
  runId: string;
  shard: number;
  /** A weighted mix: request kind k is kinds[k] (the driver picks k). */
  kinds?: NatsRequestSpec[];
  /** Connections of this thread, taken in turn (transports/nats-pool); default 1. */
  connections?: number;
}

/** One kind of message of a mix. */
export interface NatsRequestSpec {
  subject: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

interface CompiledNatsRequest {
  subject: Template;
  headers: [string, Template][];
  body: Template | undefined;
}

const enc = new TextEncoder();
const E2E_RUN = 'Bench-Run';
const E2E_SEQ = 'Bench-Seq';

/**
 * An error thrown by a publish or a flush itself. No responders, JetStream API errors and
 * limits arrive as replies instead and are read in onReply / classifyPubAck; timeouts are
 * the driver's.
 */
export function classifyNatsError(e: unknown): Outcome {
  if (e instanceof errors.TimeoutError) return TIMEOUT;
  if (
    e instanceof errors.ClosedConnectionError ||
    e instanceof errors.DrainingConnectionError ||
    e instanceof errors.ConnectionError
  )
    return { kind: 'error', cls: 'connection_error' };
  return { kind: 'error', cls: 'nats_error' };
}

/**
 * A JetStream PubAck (`{"stream","seq"}`) or its error (`{"error":{"code","err_code",
 * "description"}}`), read without the JetStream client: limits are backpressure.
 */
export function classifyPubAck(text: string): Outcome {
  let ack: { stream?: string; error?: { code?: number; err_code?: number; description?: string } };
  try {
    ack = JSON.parse(text) as typeof ack;
  } catch {
    return { kind: 'error', cls: 'js_bad_ack' };
  }
  if (!ack.error) return ack.stream ? OK : { kind: 'error', cls: 'js_bad_ack' };
  const e = ack.error;
  if (/maximum (messages|bytes)|exceeded|limit/i.test(e.description ?? ''))
    return { kind: 'error', cls: 'js_limits', backpressure: 'js_limits' };
  return { kind: 'error', cls: `js_api:${e.err_code ?? e.code ?? 'unknown'}` };
}

export class NatsTransport implements Transport {
  private nc: NatsConnection | undefined;
  /** Per kind (one without a mix); a run without one keeps its subject fan-out. */
  private readonly requests: CompiledNatsRequest[];
  private readonly ctx: TemplateContext;
  private flushWaiters: Done[] = [];
  private readonly e2eWaiters = new SeqTable<Done>();
  private readonly e2eTag: string;
  private readonly fixedPayload: Uint8Array | undefined;
  /** SUBJECT.0 .. SUBJECT.N-1, made once. */
  private readonly subjectList: string[] | undefined;
  private flushScheduled = false;
  /** Request/reply: `<inbox>.` + the request number, and who waits for each number. */
  private inbox = '';
  private readonly replyWaiters = new SeqTable<Done>();

  constructor(private readonly cfg: NatsConfig) {
    if (cfg.mode === 'consume') throw new Error('NatsTransport: consume mode has nothing to send');
    const specs = cfg.kinds ?? [{ subject: cfg.subject, headers: cfg.headers, body: cfg.body }];
    this.requests = specs.map((k, i) => {
      const where = cfg.kinds ? `requests[${i}] ` : '';
      return {
        subject: compileTemplate(k.subject, `${where}subject`),
        headers: Object.entries(k.headers).map(([n, v]): [string, Template] => [
          n,
          compileTemplate(v, `${where}header ${n}`),
        ]),
        body: k.body !== undefined ? compileTemplate(k.body, `${where}payload`) : undefined,
      };
    });
    this.ctx = { seq: 0, runId: cfg.runId, shard: cfg.shard, tenants: cfg.tenants };
    this.e2eTag = `${cfg.runId}-${cfg.shard}`;
    if (cfg.payloadSize !== undefined && !cfg.kinds)
      this.fixedPayload = new Uint8Array(randomBytes(cfg.payloadSize));
    if (cfg.subjects && cfg.subjects > 1 && !cfg.kinds)
      this.subjectList = Array.from({ length: cfg.subjects }, (_, i) => `${cfg.subject}.${i}`);
  }

  async open(): Promise<void> {
    this.nc = await connectNats(this.cfg);
    if (this.cfg.mode === 'request' || this.cfg.mode === 'jetstream') {
      this.inbox = `${createInbox()}.`;
      this.nc.subscribe(`${this.inbox}*`, { callback: (_e, m) => this.onReply(m) });
      await this.nc.flush();
    }
    if (this.cfg.mode === 'publish' && this.cfg.e2e) {
      // Each shard listens only for its own messages (the header names the shard). A mix
      // with a templated subject listens on everything (`>`) and keeps only its own.
      const subjects = this.subjectList
        ? [`${this.cfg.subject}.*`]
        : this.requests.some((r) => r.subject.constant === undefined)
          ? ['>']
          : [...new Set(this.requests.map((r) => r.subject.constant!))];
      const callback = (_e: unknown, m: Msg): void => {
        const h = m.headers;
        if (!h || h.get(E2E_RUN) !== this.e2eTag) return;
        const seq = Number(h.get(E2E_SEQ));
        this.e2eWaiters.take(seq)?.(OK);
      };
      for (const subject of subjects) this.nc.subscribe(subject, { callback });
      await this.nc.flush();
    }
  }

  private hdrs(r: CompiledNatsRequest): MsgHdrs | undefined {
    const e2e = this.cfg.mode === 'publish' && this.cfg.e2e;
    if (!r.headers.length && !this.cfg.traceparent && !e2e) return undefined;
    const h = natsHeaders();
    if (e2e) {
      h.set(E2E_RUN, this.e2eTag);
      h.set(E2E_SEQ, String(this.ctx.seq));
    }
    for (const [k, t] of r.headers) h.set(k, t(this.ctx));
    if (this.cfg.traceparent)
      h.set(
        'traceparent',
        `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
      );
    return h;
  }

  send(seq: number, done: Done, kind = 0, row?: DataRow): (() => void) | undefined {
    const nc = this.nc!;
    this.ctx.seq = seq;
    this.ctx.row = row;
    const r = this.requests[kind]!;
    const payload = this.fixedPayload ?? (r.body ? enc.encode(r.body(this.ctx)) : undefined);
    const subject = this.subjectList
      ? this.subjectList[seq % this.subjectList.length]!
      : (r.subject.constant ?? r.subject(this.ctx));
    const headers = this.hdrs(r);
    const fail = (e: unknown): void => done(classifyNatsError(e));
    switch (this.cfg.mode) {
      case 'request':
      case 'jetstream': {
        try {
          nc.publish(subject, payload, {
            reply: `${this.inbox}${seq}`,
            ...(headers ? { headers } : {}),
          });
        } catch (e) {
          fail(e);
          return undefined;
        }
        this.replyWaiters.set(seq, done);
        return () => this.replyWaiters.delete(seq);
      }
      case 'publish':
        try {
          nc.publish(subject, payload, headers ? { headers } : undefined);
        } catch (e) {
          fail(e);
          return undefined;
        }
        if (this.cfg.e2e) {
          // Ends when our subscriber sees it; a lost message ends as the driver's timeout.
          this.e2eWaiters.set(seq, done);
          return () => this.e2eWaiters.delete(seq);
        }
        // One flush (a PING/PONG round trip) acknowledges everything published before it.
        this.flushWaiters.push(done);
        if (!this.flushScheduled) {
          this.flushScheduled = true;
          setImmediate(() => this.flush());
        }
        return undefined;
    }
  }

  private onReply(m: Msg): void {
    const seq = Number(m.subject.slice(this.inbox.length));
    const done = this.replyWaiters.take(seq);
    if (!done) return; // timed out already: the driver counted it
    // Header parsing is lazy in nats.js: only a message with headers pays for it.
    const h = m.headers;
    const js = this.cfg.mode === 'jetstream';
    if (h?.hasError) {
      // For a JetStream publish, nobody answering means no stream listens on the subject.
      if (h.code === 503)
        return done({ kind: 'error', cls: js ? 'js_no_stream' : 'no_responders' });
      return done({ kind: 'error', cls: `nats_status_${h.code}` });
    }
    if (js) return done(classifyPubAck(m.string()));
    done(this.cfg.replyCheck.enabled ? classifyReply(m.data, this.cfg.replyCheck) : OK);
  }

  private flush(): void {
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    this.flushScheduled = false;
    this.nc!.flush().then(
      () => {
        // One instant for the whole batch the flush acknowledged.
        const now = wallClock.now();
        for (const d of waiters) d(OK, now);
      },
      (e: unknown) => waiters.forEach((d) => d(classifyNatsError(e))),
    );
  }

  async close(): Promise<void> {
    const nc = this.nc;
    this.nc = undefined;
    if (nc) await nc.close().catch(() => undefined);
  }
}
