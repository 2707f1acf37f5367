/**
 * The router contract (DESIGN section 5) as a pure function: a DecideRequest in, a reply
 * out. Deterministic for a given request so tests can assert exact decisions.
 */
export interface Provider {
  id: string;
  weight: number;
  expected_latency_ms: number;
  expected_cost: number;
  available: boolean;
}

export const PROVIDERS: readonly Provider[] = [
  {
    id: 'provider-alpha',
    weight: 60,
    expected_latency_ms: 120,
    expected_cost: 0.002,
    available: true,
  },
  {
    id: 'provider-beta',
    weight: 30,
    expected_latency_ms: 80,
    expected_cost: 0.004,
    available: true,
  },
  {
    id: 'provider-gamma',
    weight: 10,
    expected_latency_ms: 200,
    expected_cost: 0.001,
    available: false,
  },
];

export type DecideReply =
  | {
      ok: true;
      decision: {
        provider_id: string;
        priority: number;
        expected_latency_ms: number;
        expected_cost: number;
        reason: 'weighted' | 'sticky' | 'fallback' | 'best_score';
      };
      context: { request_id: string };
    }
  | { ok: false; error: { code: string; message: string }; context?: { request_id: string } };

export function invalid(message: string, requestId?: string): DecideReply {
  return {
    ok: false,
    error: { code: 'invalid_request', message },
    ...(requestId ? { context: { request_id: requestId } } : {}),
  };
}

export function decide(req: unknown): DecideReply {
  if (!req || typeof req !== 'object') return invalid('request must be a JSON object');
  const r = req as Record<string, unknown>;
  const requestId = typeof r.request_id === 'string' && r.request_id ? r.request_id : undefined;
  if (r.version === undefined) return invalid('missing version', requestId);
  if (r.version !== '1')
    return invalid(`unsupported version ${JSON.stringify(r.version)}`, requestId);
  if (!requestId) return invalid('missing request_id');
  if (typeof r.tenant_id !== 'string' || !r.tenant_id)
    return invalid('missing tenant_id', requestId);
  const task = r.task as Record<string, unknown> | undefined;
  if (!task || typeof task.type !== 'string' || !task.type)
    return invalid('missing task.type', requestId);

  const payload = (task.payload ?? {}) as Record<string, unknown>;
  const sticky = typeof payload.sticky_provider === 'string' ? payload.sticky_provider : undefined;
  let provider: Provider;
  let reason: 'weighted' | 'sticky' | 'fallback' | 'best_score';
  const stickyProvider = sticky ? PROVIDERS.find((p) => p.id === sticky && p.available) : undefined;
  if (stickyProvider) {
    provider = stickyProvider;
    reason = 'sticky';
  } else if (payload.optimize === 'latency' || payload.optimize === 'cost') {
    const key = payload.optimize === 'latency' ? 'expected_latency_ms' : 'expected_cost';
    provider = PROVIDERS.filter((p) => p.available).reduce((a, b) => (b[key] < a[key] ? b : a));
    reason = 'best_score';
  } else {
    provider = weightedPick(`${r.tenant_id}/${task.type}/${requestId}`);
    reason = 'weighted';
    if (!provider.available) {
      provider = PROVIDERS.find((p) => p.available)!;
      reason = 'fallback';
    }
  }
  return {
    ok: true,
    decision: {
      provider_id: provider.id,
      priority: hash(`${r.tenant_id}`) % 101,
      expected_latency_ms: provider.expected_latency_ms,
      expected_cost: provider.expected_cost,
      reason,
    },
    context: { request_id: requestId },
  };
}

function weightedPick(key: string): Provider {
  const total = PROVIDERS.reduce((s, p) => s + p.weight, 0);
  let x = hash(key) % total;
  for (const p of PROVIDERS) {
    if (x < p.weight) return p;
    x -= p.weight;
  }
  return PROVIDERS[0]!;
}

/** FNV-1a: cheap and stable across runs and processes. */
export function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
