import { describe, expect, it } from 'vitest';
import { redactHeaders, redactUrl, scrubText } from '../../src/util/redact.js';

describe('redaction', () => {
  it('removes credentials from URLs', () => {
    const out = redactUrl('https://alice:s3cret@api.local:8443/x?token=abc&page=2');
    expect(out).not.toContain('s3cret');
    expect(out).not.toContain('alice');
    expect(out).not.toContain('abc');
    expect(out).toContain('page=2');
    expect(redactUrl('nats://u:p@127.0.0.1:4222')).not.toContain(':p@');
  });

  it('masks secret headers only', () => {
    expect(redactHeaders({ Authorization: 'Bearer x', 'x-trace': '1' })).toEqual({
      Authorization: '[REDACTED]',
      'x-trace': '1',
    });
  });

  it('scrubs known secrets out of free text', () => {
    expect(scrubText('auth failed for hunter22', ['hunter22'])).toBe('auth failed for [REDACTED]');
  });
});
