import { ChunkedBody } from '../util/http1-chunked.js';
import {
  connectionCloses,
  CRLFCRLF,
  decimal,
  eachHeader,
  framingHeader,
  HTTP_1,
  isChunked,
  startsWith,
} from '../util/http1-bytes.js';

/**
 * An incremental HTTP/1.1 response parser for the load generator's hot path: it finds the
 * status, the framing (content-length, chunked, until-close) and optionally collects the
 * body, and nothing else. Pure: bytes in, completed responses out.
 */
export interface ParsedResponse {
  status: number;
  body: Buffer | undefined;
  /** The server asked to close the connection after this response. */
  close: boolean;
}

type State = 'head' | 'length' | 'chunked' | 'until-close';

export class Http1ResponseParser {
  private state: State = 'head';
  private pending: Buffer | undefined;
  private remaining = 0;
  private status = 0;
  private close = false;
  private bodyParts: Buffer[] | undefined;
  private chunked: ChunkedBody | undefined;
  /** Set per request: HEAD responses carry no body whatever their headers say. */
  expectNoBody = false;

  constructor(
    private readonly collectBody: boolean,
    private readonly onResponse: (r: ParsedResponse) => void,
    private readonly maxHeaderBytes = 64 * 1024,
  ) {}

  /**
   * Feeds bytes; throws on a malformed response (the caller drops the connection). `chunk`
   * may be a read buffer that is reused after this call returns: whatever the parser keeps
   * (a partial head, body parts) is copied.
   */
  push(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let pos = 0;
    while (pos < buf.length) {
      switch (this.state) {
        case 'head': {
          const end = buf.indexOf(CRLFCRLF, pos);
          if (end < 0) {
            if (buf.length - pos > this.maxHeaderBytes)
              throw new Error('response header too large');
            this.pending = Buffer.from(buf.subarray(pos));
            return;
          }
          this.head(buf, pos, end);
          pos = end + 4;
          break;
        }
        case 'length': {
          const n = Math.min(this.remaining, buf.length - pos);
          this.bodyParts?.push(Buffer.from(buf.subarray(pos, pos + n)));
          this.remaining -= n;
          pos += n;
          if (this.remaining === 0) this.complete();
          break;
        }
        case 'chunked': {
          const next = this.chunked!.step(buf, pos, (part) =>
            this.bodyParts?.push(Buffer.from(part)),
          );
          pos = next;
          if (this.chunked!.needMore) {
            this.pending = Buffer.from(buf.subarray(pos));
            return;
          }
          if (this.chunked!.done) this.complete();
          break;
        }
        case 'until-close':
          this.bodyParts?.push(Buffer.from(buf.subarray(pos)));
          pos = buf.length;
          break;
      }
    }
  }

  /** The connection ended: a body framed by close is complete now. */
  end(): boolean {
    if (this.state === 'until-close') {
      this.complete();
      return true;
    }
    return false;
  }

  get idle(): boolean {
    return this.state === 'head' && !this.pending;
  }

  /**
   * Reads the head in place, byte by byte, without a string or a native call per line: the
   * status and the three headers that frame the body (content-length, transfer-encoding,
   * connection). This runs once per answer, tens of thousands of times a second, and at
   * slow rates on cold caches after every wake-up.
   */
  private head(buf: Buffer, start: number, end: number): void {
    // "HTTP/1.x NNN": 12 bytes at least.
    if (
      end - start < 12 ||
      !startsWith(buf, start, HTTP_1) ||
      (buf[start + 7] !== 0x30 && buf[start + 7] !== 0x31) ||
      buf[start + 8] !== 0x20
    )
      throw new Error('malformed status line');
    const d = (i: number): number => buf[start + 9 + i]! - 0x30;
    if (d(0) < 0 || d(0) > 9 || d(1) < 0 || d(1) > 9 || d(2) < 0 || d(2) > 9)
      throw new Error('malformed status line');
    this.status = d(0) * 100 + d(1) * 10 + d(2);
    let length = -1;
    let chunked = false;
    this.close = buf[start + 7] === 0x30; // HTTP/1.0
    eachHeader(buf, start, end, (from, colon, to) => {
      const name = framingHeader(buf, from, colon);
      if (name === 'content-length') length = decimal(buf, colon + 1, to);
      else if (name === 'transfer-encoding') chunked = isChunked(buf, colon + 1, to);
      else if (name === 'connection')
        this.close = connectionCloses(buf, colon + 1, to) ?? this.close;
    });
    if (this.status >= 100 && this.status < 200) return; // interim response: the real one follows
    this.bodyParts = this.collectBody ? [] : undefined;
    if (this.expectNoBody || this.status === 204 || this.status === 304) this.complete();
    else if (chunked) {
      this.chunked = new ChunkedBody();
      this.state = 'chunked';
    } else if (length >= 0) {
      this.remaining = length;
      this.state = 'length';
      if (length === 0) this.complete();
    } else {
      this.close = true;
      this.state = 'until-close';
    }
  }

  private complete(): void {
    const body = this.bodyParts ? Buffer.concat(this.bodyParts) : undefined;
    this.state = 'head';
    this.bodyParts = undefined;
    this.onResponse({ status: this.status, body, close: this.close });
  }
}
