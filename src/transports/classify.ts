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

/** Reads `{"ok":false,"error":{"code":C}}` replies as application errors of class C. */
export function classifyReply(body: string, check: ReplyCheck): Outcome {
  if (!check.enabled) return OK;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
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
