/**
 * Credentials never leave the process: URLs lose their userinfo and secret-looking query
 * parameters; headers that carry secrets are masked.
 */
const SECRET_PARAM =
  /^(token|access_token|auth|password|pass|pwd|secret|key|api_key|apikey|sig|signature)$/i;
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|x-auth-token)$/i;
export const REDACTED = '[REDACTED]';

export function redactUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return raw.replace(/\/\/[^/@]*@/, `//${REDACTED}@`);
  }
  if (u.username || u.password) {
    u.username = REDACTED;
    u.password = '';
  }
  for (const k of [...u.searchParams.keys()]) {
    if (SECRET_PARAM.test(k)) u.searchParams.set(k, REDACTED);
  }
  return u.toString().replace(encodeURIComponent(REDACTED), REDACTED);
}

/** A path with its query (a request kind's), secret-looking parameters masked. */
export function redactPath(path: string): string {
  const q = path.indexOf('?');
  if (q < 0) return path;
  const params = path
    .slice(q + 1)
    .split('&')
    .map((p) => {
      const eq = p.indexOf('=');
      return eq > 0 && SECRET_PARAM.test(p.slice(0, eq)) ? `${p.slice(0, eq)}=${REDACTED}` : p;
    });
  return `${path.slice(0, q)}?${params.join('&')}`;
}

export function redactHeaders(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k] = SECRET_HEADER.test(k) ? REDACTED : v;
  return out;
}

/** Removes any of the given secret values wherever they appear in a text (e.g. an error). */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join(REDACTED);
  return out;
}
