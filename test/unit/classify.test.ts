import { describe, expect, it } from 'vitest';
import {
  classifyHttpStatus,
  classifyNetworkError,
  classifyReply,
} from '../../src/transports/classify.js';

const check = { enabled: true, overloadCodes: ['overloaded'] };

describe('classification', () => {
  it('maps status classes; 429 and 503 are backpressure', () => {
    expect(classifyHttpStatus(200)).toBeUndefined();
    expect(classifyHttpStatus(429)).toEqual({
      kind: 'error',
      cls: 'http_429',
      backpressure: 'http_429',
    });
    expect(classifyHttpStatus(503)).toEqual({
      kind: 'error',
      cls: 'http_503',
      backpressure: 'http_503',
    });
    expect(classifyHttpStatus(500)).toEqual({ kind: 'error', cls: 'http_5xx' });
    expect(classifyHttpStatus(404)).toEqual({ kind: 'error', cls: 'http_4xx' });
    expect(classifyHttpStatus(302)).toEqual({ kind: 'error', cls: 'http_3xx' });
  });

  it('reads ok:false replies as application errors; overload codes are backpressure', () => {
    expect(classifyReply('{"ok":true}', check)).toEqual({ kind: 'ok' });
    expect(classifyReply('{"ok":false,"error":{"code":"no_route"}}', check)).toEqual({
      kind: 'error',
      cls: 'app:no_route',
    });
    expect(classifyReply('{"ok":false,"error":{"code":"overloaded"}}', check)).toEqual({
      kind: 'error',
      cls: 'app:overloaded',
      backpressure: 'app:overloaded',
    });
    expect(classifyReply('not json', check)).toEqual({ kind: 'error', cls: 'bad_reply' });
    expect(classifyReply('{"ok":true', check)).toEqual({ kind: 'error', cls: 'bad_reply' });
    expect(classifyReply('{"ok":trueish}', check)).toEqual({ kind: 'error', cls: 'bad_reply' });
    expect(classifyReply('{ "ok": false, "error": {"code":"x"} }', check)).toEqual({
      kind: 'error',
      cls: 'app:x',
    });
    expect(classifyReply('not json', { ...check, enabled: false })).toEqual({ kind: 'ok' });
  });

  it('reads replies as bytes the same as text, a success opening without a parse', () => {
    const bytes = (t: string): Uint8Array => new TextEncoder().encode(t);
    for (const t of [
      '{"ok":true,"decision":{"provider_id":"p"}}',
      '{"ok":true}',
      '{"ok":false,"error":{"code":"overloaded"}}',
      '{"ok":false,"error":{"code":"no_route"}}',
      '{"decision":1,"ok":false}',
      '{"ok":true',
      '<html>',
      '',
    ]) {
      expect(classifyReply(bytes(t), check), t).toEqual(classifyReply(t, check));
    }
    // A subarray of a larger buffer (as a read buffer is) reads only its own bytes.
    const big = Buffer.from('xx{"ok":false,"error":{"code":"no_route"}}yy');
    expect(classifyReply(big.subarray(2, big.length - 2), check)).toEqual({
      kind: 'error',
      cls: 'app:no_route',
    });
    // The opening is taken at its word: what follows it is not read.
    expect(classifyReply('{"ok":true,garbage', check)).toEqual({ kind: 'ok' });
  });

  it('maps socket failures to stable classes', () => {
    expect(classifyNetworkError({ code: 'ECONNREFUSED' })).toEqual({
      kind: 'error',
      cls: 'connection_refused',
    });
    expect(classifyNetworkError({ code: 'UND_ERR_SOCKET' })).toEqual({
      kind: 'error',
      cls: 'connection_reset',
    });
    expect(classifyNetworkError({ code: 'UND_ERR_HEADERS_TIMEOUT' })).toEqual({ kind: 'timeout' });
    expect(classifyNetworkError(new Error('x'))).toEqual({
      kind: 'error',
      cls: 'connection_error',
    });
  });
});
