/**
 * Reading an HTTP/1.1 head in place, byte by byte, for the generator's response parser and
 * the built-in router's request parser: no string or native call per line, which on a
 * thread that sleeps between requests (cold caches after every wake-up) cost 10+ µs a head.
 * Header names and the values compared here are ASCII; they compare without regard to case.
 */

/** The byte strings both parsers look for; names and values in lower case. */
export const CRLFCRLF = Buffer.from('\r\n\r\n');
export const HTTP_1 = Buffer.from('HTTP/1.');
const CONTENT_LENGTH = Buffer.from('content-length');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding');
const CONNECTION = Buffer.from('connection');
const EXPECT = Buffer.from('expect');
const CLOSE = Buffer.from('close');
const KEEP_ALIVE = Buffer.from('keep-alive');
export const CONTINUE = Buffer.from('100-continue');

export const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x09;

export function startsWith(buf: Buffer, at: number, what: Buffer): boolean {
  for (let i = 0; i < what.length; i++) if (buf[at + i] !== what[i]) return false;
  return true;
}

/** The CR of the first CRLF in [from, end), or `end`. */
export function lineEnd(buf: Buffer, from: number, end: number): number {
  let i = from;
  while (i < end && !(buf[i] === 0x0d && buf[i + 1] === 0x0a)) i++;
  return i;
}

/**
 * Whether the bytes at `at` are `lower` (lower case) in any case. OR-ing 0x20 lower-cases a
 * letter; it also maps a few control bytes onto these names' and values' other bytes (CR
 * onto '-', 0x10-0x19 onto digits), and no control byte belongs in a header line.
 */
export function sameText(buf: Buffer, at: number, lower: Buffer): boolean {
  for (let i = 0; i < lower.length; i++) if ((buf[at + i]! | 0x20) !== lower[i]) return false;
  return true;
}

/** The first position in [from, to) past spaces and tabs (`to` if none). */
export function skipSpace(buf: Buffer, from: number, to: number): number {
  while (from < to && isSpace(buf[from])) from++;
  return from;
}

/** The end of [from, to) with trailing spaces and tabs left off. */
export function dropSpace(buf: Buffer, from: number, to: number): number {
  while (to > from && isSpace(buf[to - 1])) to--;
  return to;
}

/** Whether [from, to) is `lower` in any case, with optional whitespace around it. */
export function valueIs(buf: Buffer, from: number, to: number, lower: Buffer): boolean {
  from = skipSpace(buf, from, to);
  to = dropSpace(buf, from, to);
  return to - from === lower.length && sameText(buf, from, lower);
}

/** A content-length: the digits of [from, to), whitespace around allowed; NaN otherwise. */
export function decimal(buf: Buffer, from: number, to: number): number {
  from = skipSpace(buf, from, to);
  to = dropSpace(buf, from, to);
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return from < to ? n : NaN;
}

/** The headers that frame a message, the only ones either parser reads. */
export type FramingHeader = 'content-length' | 'transfer-encoding' | 'connection' | 'expect';

/** Which framing header the name [from, to) is, in any case; their lengths all differ. */
export function framingHeader(buf: Buffer, from: number, to: number): FramingHeader | undefined {
  switch (to - from) {
    case 14:
      return sameText(buf, from, CONTENT_LENGTH) ? 'content-length' : undefined;
    case 17:
      return sameText(buf, from, TRANSFER_ENCODING) ? 'transfer-encoding' : undefined;
    case 10:
      return sameText(buf, from, CONNECTION) ? 'connection' : undefined;
    case 6:
      return sameText(buf, from, EXPECT) ? 'expect' : undefined;
    default:
      return undefined;
  }
}

/** A Connection value: true for close, false for keep-alive, undefined for anything else. */
export function connectionCloses(buf: Buffer, from: number, to: number): boolean | undefined {
  if (valueIs(buf, from, to, CLOSE)) return true;
  if (valueIs(buf, from, to, KEEP_ALIVE)) return false;
  return undefined;
}

/** Whether a Transfer-Encoding value names chunked (rare enough to read as a string). */
export function isChunked(buf: Buffer, from: number, to: number): boolean {
  return /chunked/i.test(buf.toString('latin1', from, to));
}

/**
 * Calls `onHeader(from, colon, to)` for each header line of the head [start, end) after
 * its first line: the name is [from, colon), the value [colon + 1, to). Lines without a
 * colon (or with an empty name) are skipped.
 */
export function eachHeader(
  buf: Buffer,
  start: number,
  end: number,
  onHeader: (from: number, colon: number, to: number) => void,
): void {
  for (let to = lineEnd(buf, start, end); to < end;) {
    const from = to + 2;
    let colon = -1;
    for (to = from; to < end && !(buf[to] === 0x0d && buf[to + 1] === 0x0a); to++)
      if (colon < 0 && buf[to] === 0x3a) colon = to;
    if (colon > from) onHeader(from, colon, to);
  }
}
