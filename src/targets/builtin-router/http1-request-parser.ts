import { ChunkedBody } from '../../util/http1-chunked.js';
import {
  connectionCloses,
  CONTINUE,
  CRLFCRLF,
  decimal,
  dropSpace,
  eachHeader,
  framingHeader,
  HTTP_1,
  isChunked,
  lineEnd,
  skipSpace,
  startsWith,
  valueIs,
} from '../../util/http1-bytes.js';

/**
 * An incremental HTTP/1.1 request parser for the built-in router: method, target, the
 * headers that frame the body (content-length, chunked), connection handling and
 * `Expect: 100-continue`, and the body. Pure: bytes in, requests out. Node's own HTTP server
 * costs the router more than the whole generator at low rates (~230 µs a request at 500
 * req/s here, against ~90 µs for this one), so the reference target has its own.
 */
export interface ParsedRequest {
  method: string;
  target: string;
  body: Buffer;
  /** The client asked to close after this request (or spoke HTTP/1.0 without keep-alive). */
  close: boolean;
}

export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const EMPTY = Buffer.alloc(0);
/** The methods the router answers, as strings made once. */
const METHODS = ['GET', 'POST', 'HEAD', 'PUT'].map((m) => ({ text: m, bytes: Buffer.from(m) }));

/** What a regular expression's \s matches among latin1 bytes. */
const isWhitespace = (c: number): boolean => (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0;

function methodAt(buf: Buffer, start: number, end: number): string {
  for (const m of METHODS)
    if (m.bytes.length === end - start && startsWith(buf, start, m.bytes)) return m.text;
  return buf.toString('latin1', start, end);
}

type State = 'head' | 'body' | 'chunked';

export class Http1RequestParser {
  private state: State = 'head';
  private pending: Buffer | undefined;
  private remaining = 0;
  private req: ParsedRequest | undefined;
  private parts: Buffer[] = [];
  private bodyBytes = 0;
  private chunked: ChunkedBody | undefined;

  constructor(
    private readonly onRequest: (r: ParsedRequest) => void,
    /** Called when a request's head asks for `100 Continue` before sending its body. */
    private readonly onContinue: () => void,
    private readonly maxHeaderBytes = 64 * 1024,
    private readonly maxBodyBytes = 1024 * 1024,
  ) {}

  /** Feeds bytes; throws RequestError (with the status to answer) on a bad request. */
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
              throw new RequestError(431, 'request header too large');
            this.pending = buf.subarray(pos);
            return;
          }
          this.head(buf, pos, end);
          pos = end + 4;
          break;
        }
        case 'body': {
          const n = Math.min(this.remaining, buf.length - pos);
          this.parts.push(buf.subarray(pos, pos + n));
          this.remaining -= n;
          pos += n;
          if (this.remaining === 0) this.complete();
          break;
        }
        case 'chunked': {
          const next = this.chunked!.step(
            buf,
            pos,
            (part) => this.parts.push(part),
            (n) => this.grow(n),
          );
          pos = next;
          if (this.chunked!.needMore) {
            this.pending = buf.subarray(pos);
            return;
          }
          if (this.chunked!.done) this.complete();
          break;
        }
      }
    }
  }

  private grow(n: number): void {
    this.bodyBytes += n;
    if (this.bodyBytes > this.maxBodyBytes) throw new RequestError(413, 'request body too large');
  }

  /** Reads the head [start, end) in place (see util/http1-bytes). */
  private head(buf: Buffer, start: number, end: number): void {
    // "METHOD SP target SP HTTP/1.x": the method in capitals, the target without whitespace.
    const lineTo = lineEnd(buf, start, end);
    let sp1 = start;
    while (sp1 < lineTo && buf[sp1]! >= 0x41 && buf[sp1]! <= 0x5a) sp1++;
    let sp2 = sp1 + 1;
    while (sp2 < lineTo && !isWhitespace(buf[sp2]!)) sp2++;
    if (
      sp1 === start ||
      buf[sp1] !== 0x20 ||
      sp2 === sp1 + 1 ||
      buf[sp2] !== 0x20 ||
      lineTo !== sp2 + 9 ||
      !startsWith(buf, sp2 + 1, HTTP_1) ||
      (buf[sp2 + 8] !== 0x30 && buf[sp2 + 8] !== 0x31)
    )
      throw new RequestError(400, 'malformed request line');
    let length = 0;
    let chunked = false;
    let close = buf[sp2 + 8] === 0x30;
    let expectContinue = false;
    eachHeader(buf, start, end, (from, colon, to) => {
      // Whitespace around a name is tolerated (and compared without).
      const nameFrom = skipSpace(buf, from, colon);
      const name = framingHeader(buf, nameFrom, dropSpace(buf, nameFrom, colon));
      if (name === 'content-length') {
        length = decimal(buf, colon + 1, to);
        if (!(length >= 0)) throw new RequestError(400, 'bad content-length');
      } else if (name === 'transfer-encoding') chunked = isChunked(buf, colon + 1, to);
      else if (name === 'connection') close = connectionCloses(buf, colon + 1, to) ?? close;
      else if (name === 'expect') expectContinue = valueIs(buf, colon + 1, to, CONTINUE);
    });
    const method = methodAt(buf, start, sp1);
    const target = buf.toString('latin1', sp1 + 1, sp2);
    this.req = { method, target, body: EMPTY, close };
    this.parts = [];
    this.bodyBytes = 0;
    if (chunked) {
      if (expectContinue) this.onContinue();
      this.chunked = new ChunkedBody();
      this.state = 'chunked';
    } else if (length > 0) {
      this.grow(length);
      if (expectContinue) this.onContinue();
      this.remaining = length;
      this.state = 'body';
    } else this.complete();
  }

  private complete(): void {
    const r = this.req!;
    r.body = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.req = undefined;
    this.state = 'head';
    this.onRequest(r);
  }
}
