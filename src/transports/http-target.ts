import { ToolError } from '../errors.js';
import { redactUrl } from '../util/redact.js';

/**
 * Parses an HTTP(S) target URL for either engine. Credentials in the URL become a Basic
 * authorization header (unless one is given); the URL itself is only ever shown redacted.
 */
export function parseHttpTarget(
  raw: string,
  headers: Record<string, string>,
): { url: URL; headers: Record<string, string> } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ToolError('E_USAGE', `--target: "${redactUrl(raw)}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ToolError('E_USAGE', `--target: unsupported scheme ${url.protocol} for HTTP`);
  }
  const out = { ...headers };
  if (
    (url.username || url.password) &&
    !Object.keys(out).some((k) => k.toLowerCase() === 'authorization')
  ) {
    const token = Buffer.from(
      `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
    ).toString('base64');
    out.authorization = `Basic ${token}`;
  }
  return { url, headers: out };
}
