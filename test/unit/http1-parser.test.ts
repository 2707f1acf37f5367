import { describe, expect, it } from 'vitest';
import { Http1ResponseParser, type ParsedResponse } from '../../src/transports/http1-parser.js';

function parse(
  chunks: string[],
  collect = true,
): { out: ParsedResponse[]; p: Http1ResponseParser } {
  const out: ParsedResponse[] = [];
  const p = new Http1ResponseParser(collect, (r) => out.push(r));
  for (const c of chunks) p.push(Buffer.from(c, 'latin1'));
  return { out, p };
}

const body = (r: ParsedResponse | undefined): string | undefined => r?.body?.toString('utf8');

describe('Http1ResponseParser', () => {
  it('parses content-length bodies, several responses per read', () => {
    const { out } = parse([
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 503 Busy\r\ncontent-length: 0\r\n\r\n',
    ]);
    expect(out.map((r) => r.status)).toEqual([200, 503]);
    expect(body(out[0])).toBe('ok');
    expect(body(out[1])).toBe('');
  });

  it('handles any split of the bytes', () => {
    const wire =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc';
    for (let cut = 1; cut < wire.length; cut++) {
      const { out } = parse([wire.slice(0, cut), wire.slice(cut)]);
      expect(out.map(body)).toEqual(['Wikipedia', 'abc']);
    }
    const { out } = parse(wire.split(''));
    expect(out.map(body)).toEqual(['Wikipedia', 'abc']);
  });

  it('skips interim 1xx responses and knows bodiless statuses', () => {
    const { out } = parse([
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n',
    ]);
    expect(out.map((r) => r.status)).toEqual([204, 304]);
  });

  it('reads chunked trailers and connection: close', () => {
    const { out } = parse([
      'HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nX-Trailer: 1\r\n\r\n',
    ]);
    expect(body(out[0])).toBe('hi');
    expect(out[0]!.close).toBe(true);
  });

  it('treats a body without framing as ending at close', () => {
    const { out, p } = parse(['HTTP/1.0 200 OK\r\n\r\npartial', ' body']);
    expect(out).toHaveLength(0);
    expect(p.end()).toBe(true);
    expect(body(out[0])).toBe('partial body');
    expect(out[0]!.close).toBe(true);
  });

  it('does not keep bodies it was not asked to read', () => {
    const { out } = parse(['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'], false);
    expect(out[0]!.body).toBeUndefined();
  });

  it('reads the framing headers in any case and with whitespace around their values', () => {
    const { out } = parse([
      'HTTP/1.1 200 OK\r\nDate: Wed, 02 Dec 2026 14:30:00 GMT\r\nCONTENT-LENGTH:\t3 \r\nConnection:  Close \r\n\r\nabc',
      'HTTP/1.1 200 OK\r\ncontent-Length: 1\r\nconnection: keep-ALIVE\r\nX-Connection: close\r\n\r\nz',
    ]);
    expect(out.map(body)).toEqual(['abc', 'z']);
    expect(out.map((r) => r.close)).toEqual([true, false]);
    const http10 = parse([
      'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n',
    ]);
    expect(http10.out[0]!.close).toBe(false);
  });

  it('reads a content-length that is not all digits as no framing: the body ends at close', () => {
    const { out, p } = parse(['HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\nab']);
    expect(out).toHaveLength(0);
    expect(p.end()).toBe(true);
    expect(body(out[0])).toBe('ab');
  });

  it('rejects garbage', () => {
    expect(() => parse(['SMTP 220 hello\r\n\r\n'])).toThrowError(/malformed status line/);
    expect(() =>
      parse(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']),
    ).toThrowError(/bad chunk size/);
  });
});
