import { OK, type Outcome } from '../record/recorder.js';

/**
 * Turns what came back into an outcome class. Errors are never dropped: each has a class,
 * and overload signals (HTTP 429/503, reply codes configured as overload) also count as
 * backpressure.
 */
export interface ReplyCheck {
  enabled: boolean;
  overloadCodes: readonly string[];
}

const cache = new Map<string, Outcome>();
function err(cls: string, backpressure?: string): Outcome {
  const key = `${cls}|${backpressure ?? ''}`;
  let o = cache.get(key);
  if (!o) {
    o = Object.freeze(backpressure ? { kind: 'error', cls, backpressure } : { kind: 'error', cls });
    cache.set(key, o);
  }
  return o;
}

export const TIMEOUT: Outcome = Object.freeze({ kind: 'timeout' });

export function classifyHttpStatus(status: number): Outcome | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status === 429) return err('http_429', 'http_429');
  if (status === 503) return err('http_503', 'http_503');
  if (status >= 500) return err('http_5xx');
  if (status >= 400) return err('http_4xx');
  return err('http_3xx');
}

const OK_TEXT = '{"ok":true';
const OK_OPENING = Buffer.from(OK_TEXT);

/**
 * Reads `{"ok":false,"error":{"code":C}}` replies as application errors of class C, and a
 * reply that is not JSON as `bad_reply`. A reply whose first member is `"ok":true` (what
 * the reference router and most such services write) is a success without being parsed:
 * JSON.parse cost ~13 µs a reply on a 500 req/s run here (cold caches between wake-ups),
 * 6% of the generator's CPU. Such a reply with garbage after that opening counts as a
 * success, not as `bad_reply`.
 */
export function classifyReply(body: string | Uint8Array, check: ReplyCheck): Outcome {
  if (!check.enabled) return OK;
  if (opensWithOkTrue(body)) return OK;
  const text =
    typeof body === 'string'
      ? body
      : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return err('bad_reply');
  }
  if (parsed && typeof parsed === 'object' && (parsed as { ok?: unknown }).ok === false) {
    const code = String((parsed as { error?: { code?: unknown } }).error?.code ?? 'unknown');
    return check.overloadCodes.includes(code)
      ? err(`app:${code}`, `app:${code}`)
      : err(`app:${code}`);
  }
  return OK;
}

/** `{"ok":true` followed by `,` or `}`, byte for byte (no whitespace: what serializers write). */
function opensWithOkTrue(body: string | Uint8Array): boolean {
  const n = OK_OPENING.length;
  if (body.length <= n) return false;
  if (typeof body === 'string') {
    const next = body[n];
    return (next === ',' || next === '}') && body.startsWith(OK_TEXT);
  }
  for (let i = 0; i < n; i++) if (body[i] !== OK_OPENING[i]) return false;
  return body[n] === 0x2c || body[n] === 0x7d;
}

/** Maps socket-level failures to stable classes. */
export function classifyNetworkError(e: unknown): Outcome {
  const code = (e as { code?: string }).code ?? '';
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return TIMEOUT;
    case 'ECONNREFUSED':
      return err('connection_refused');
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return err('connection_reset');
    default:
      return err('connection_error');
  }
}
