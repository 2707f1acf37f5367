/**
 * Reading an HTTP/1.1 head in place, byte by byte, for the generator's response parser and
 * the built-in router's request parser: no string or native call per line, which on a
 * thread that sleeps between requests (cold caches after every wake-up) cost 10+ µs a head.
 * Header names and the values compared here are ASCII; they compare without regard to case.
 */

/** The byte strings both parsers look for; names and values in lower case. */
export const CRLFCRLF = Buffer.from('\r\n\r\n');
export const HTTP_1 = Buffer.from('HTTP/1.');
export const CONTENT_LENGTH = Buffer.from('content-length');
export const TRANSFER_ENCODING = Buffer.from('transfer-encoding');
export const CONNECTION = Buffer.from('connection');
export const EXPECT = Buffer.from('expect');
export const CLOSE = Buffer.from('close');
export const KEEP_ALIVE = Buffer.from('keep-alive');
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

/** Whether [from, to) is `lower` in any case, with optional whitespace around it. */
export function valueIs(buf: Buffer, from: number, to: number, lower: Buffer): boolean {
  while (from < to && isSpace(buf[from])) from++;
  while (to > from && isSpace(buf[to - 1])) to--;
  return to - from === lower.length && sameText(buf, from, lower);
}

/** A content-length: the digits of [from, to), whitespace around allowed; NaN otherwise. */
export function decimal(buf: Buffer, from: number, to: number): number {
  while (from < to && isSpace(buf[from])) from++;
  while (to > from && isSpace(buf[to - 1])) to--;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = buf[i]! - 0x30;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return from < to ? n : NaN;
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
