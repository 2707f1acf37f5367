import { describe, expect, it } from 'vitest';
import { decide } from '../../src/targets/builtin-router/decide.js';

const valid = {
  version: '1',
  request_id: 'r-1',
  tenant_id: 'acme',
  task: { type: 'chat', payload: {} },
};

describe('router decide contract', () => {
  it('answers a valid request with a decision and echoes the request id', () => {
    const r = decide(valid);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.context.request_id).toBe('r-1');
    expect(r.decision.priority).toBeGreaterThanOrEqual(0);
    expect(r.decision.priority).toBeLessThanOrEqual(100);
    expect(['weighted', 'fallback']).toContain(r.decision.reason);
    expect(decide(valid)).toEqual(r); // deterministic
  });

  it.each([
    [{ ...valid, version: undefined }, 'missing version'],
    [{ ...valid, version: '2' }, 'unsupported version'],
    [{ ...valid, request_id: '' }, 'missing request_id'],
    [{ ...valid, tenant_id: undefined }, 'missing tenant_id'],
    [{ ...valid, task: {} }, 'missing task.type'],
    ['nope', 'JSON object'],
  ])('rejects %j as invalid_request', (req, msg) => {
    const r = decide(req);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('invalid_request');
    expect(r.error.message).toContain(msg);
  });

  it('honours sticky providers and best-score requests', () => {
    const sticky = decide({
      ...valid,
      task: { type: 'chat', payload: { sticky_provider: 'provider-beta' } },
    });
    expect(sticky.ok && sticky.decision).toMatchObject({
      provider_id: 'provider-beta',
      reason: 'sticky',
    });
    const best = decide({ ...valid, task: { type: 'chat', payload: { optimize: 'latency' } } });
    expect(best.ok && best.decision).toMatchObject({
      provider_id: 'provider-beta',
      reason: 'best_score',
    });
  });

  it('falls back when the weighted pick is unavailable', () => {
    const reasons = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const r = decide({ ...valid, request_id: `r-${i}` });
      if (r.ok) reasons.add(r.decision.reason);
    }
    expect(reasons).toEqual(new Set(['weighted', 'fallback']));
  });
});
