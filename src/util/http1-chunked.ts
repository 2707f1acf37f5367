/**
 * A chunked HTTP/1.1 body (RFC 9112 §7.1), decoded step by step: the response parser of the
 * load generator and the built-in router's request parser both read bodies with it.
 */
const CRLF = Buffer.from('\r\n');

export class ChunkedBody {
  private state: 'size' | 'data' | 'end' | 'trailers' = 'size';
  private remaining = 0;
  done = false;
  /** The last step stopped at an incomplete line: keep the bytes from its position. */
  needMore = false;

  /**
   * Consumes what it can of `buf` from `pos` and returns the position after it; with
   * `needMore` set, the bytes from that position on are an incomplete line, which the caller
   * keeps for the next read. `onData` gets each piece of the body; `onSize` each chunk's size, before its data.
   */
  step(
    buf: Buffer,
    pos: number,
    onData: (part: Buffer) => void,
    onSize?: (n: number) => void,
  ): number {
    this.needMore = false;
    while (pos < buf.length && !this.done) {
      switch (this.state) {
        case 'size': {
          const end = buf.indexOf(CRLF, pos);
          if (end < 0) return this.more(pos);
          const size = parseInt(buf.toString('latin1', pos, end), 16);
          if (Number.isNaN(size)) throw new Error('bad chunk size');
          onSize?.(size);
          pos = end + 2;
          this.remaining = size;
          this.state = size === 0 ? 'trailers' : 'data';
          break;
        }
        case 'data': {
          const n = Math.min(this.remaining, buf.length - pos);
          onData(buf.subarray(pos, pos + n));
          this.remaining -= n;
          pos += n;
          if (this.remaining === 0) this.state = 'end';
          break;
        }
        case 'end':
          if (buf.length - pos < 2) return this.more(pos);
          pos += 2;
          this.state = 'size';
          break;
        case 'trailers': {
          // Trailer lines end with an empty line; usually there are none and it is just CRLF.
          const end = buf.indexOf(CRLF, pos);
          if (end < 0) return this.more(pos);
          if (end === pos) this.done = true;
          pos = end + 2;
          break;
        }
      }
    }
    return pos;
  }

  private more(pos: number): number {
    this.needMore = true;
    return pos;
  }
}
