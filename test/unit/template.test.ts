import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../src/transports/template.js';

const ctx = { seq: 7, runId: 'ab12', shard: 1, tenants: ['t1', 't2', 't3'] };

describe('compileTemplate', () => {
  it('fills request id, sequence and a rotating tenant', () => {
    const t = compileTemplate('{"id":"{{request_id}}","n":{{seq}},"tenant":"{{ tenant }}"}');
    expect(JSON.parse(t(ctx))).toEqual({ id: 'ab12-1-7', n: 7, tenant: 't2' });
    expect(JSON.parse(t({ ...ctx, seq: 8 })).tenant).toBe('t3');
  });

  it('makes request ids unique across shards', () => {
    const t = compileTemplate('{{request_id}}');
    expect(t({ ...ctx, shard: 0 })).not.toBe(t({ ...ctx, shard: 1 }));
  });

  it('gives timestamps and uuids per call', () => {
    const t = compileTemplate('{{timestamp_ms}} {{uuid}}');
    const [ts, uuid] = t(ctx).split(' ');
    expect(Math.abs(Number(ts) - Date.now())).toBeLessThan(1000);
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects unknown placeholders naming them', () => {
    expect(() => compileTemplate('{{nope}}', 'body')).toThrowError(
      /body: unknown placeholder \{\{nope\}\}/,
    );
  });
});
