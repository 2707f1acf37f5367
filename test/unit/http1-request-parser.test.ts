import { describe, expect, it } from 'vitest';
import {
  Http1RequestParser,
  RequestError,
  type ParsedRequest,
} from '../../src/targets/builtin-router/http1-request-parser.js';

function parse(chunks: string[]): { out: ParsedRequest[]; continues: number } {
  const out: ParsedRequest[] = [];
  let continues = 0;
  const p = new Http1RequestParser(
    (r) => out.push(r),
    () => continues++,
  );
  for (const c of chunks) p.push(Buffer.from(c, 'latin1'));
  return { out, continues };
}

describe('HTTP/1.1 request parser (built-in router)', () => {
  it('reads pipelined requests split anywhere, with content-length and chunked bodies', () => {
    const text =
      'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello' +
      'GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n' +
      'POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n';
    for (const size of [1, 7, 1000]) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      const { out } = parse(chunks);
      expect(out.map((r) => [r.method, r.target, r.body.toString()])).toEqual([
        ['POST', '/a', 'hello'],
        ['GET', '/healthz', ''],
        ['POST', '/b', 'abcde'],
      ]);
    }
  });

  it('knows when the client wants the connection closed', () => {
    const { out } = parse([
      'GET / HTTP/1.1\r\nConnection: close\r\n\r\n',
      'GET / HTTP/1.0\r\n\r\n',
      'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
      'GET / HTTP/1.1\r\n\r\n',
    ]);
    expect(out.map((r) => r.close)).toEqual([true, true, false, false]);
  });

  it('reads header names and values in any case, with whitespace around them', () => {
    const { out, continues } = parse([
      'PATCH /x?q=1 HTTP/1.1\r\nCONTENT-LENGTH :\t3 \r\nconnection: CLOSE\r\nExpect:  100-Continue\r\n\r\nabc',
    ]);
    expect(out.map((r) => [r.method, r.target, r.body.toString(), r.close])).toEqual([
      ['PATCH', '/x?q=1', 'abc', true],
    ]);
    expect(continues).toBe(1);
  });

  it('answers Expect: 100-continue before the body comes', () => {
    const { out, continues } = parse([
      'POST /a HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n',
      'ok',
    ]);
    expect(continues).toBe(1);
    expect(out[0]!.body.toString()).toBe('ok');
  });

  it('refuses malformed and oversized requests with the status to answer', () => {
    const status = (text: string): number => {
      try {
        parse([text]);
      } catch (e) {
        return (e as RequestError).status;
      }
      return 0;
    };
    expect(status('HELLO\r\n\r\n')).toBe(400);
    expect(status('GET /a b HTTP/1.1\r\n\r\n')).toBe(400);
    expect(status('get / HTTP/1.1\r\n\r\n')).toBe(400);
    expect(status('GET / HTTP/2.0\r\n\r\n')).toBe(400);
    expect(status('GET / HTTP/1.1x\r\n\r\n')).toBe(400);
    expect(status('POST / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n')).toBe(400);
    expect(status('POST / HTTP/1.1\r\nContent-Length:\r\n\r\n')).toBe(400);
    expect(status('POST / HTTP/1.1\r\nContent-Length: -3\r\n\r\n')).toBe(400);
    expect(status('POST / HTTP/1.1\r\nContent-Length: 9999999\r\n\r\n')).toBe(413);
    expect(status(`GET / HTTP/1.1\r\nx: ${'a'.repeat(70_000)}`)).toBe(431);
  });
});
