import { encode, newHistogram, recordUs, type Histogram } from './histogram.js';
import type { Outcome } from './outcome.js';

/** One request kind's counters and latency (compressed HDR), mergeable like the run's. */
export interface KindSnapshot {
  sent: number;
  ok: number;
  errors: number;
  timeouts: number;
  backpressure: number;
  errors_by_class: Record<string, number>;
  latency: string;
}

interface KindAcc extends Omit<KindSnapshot, 'latency'> {
  latency: Histogram;
}

/**
 * The recorder's per-kind figures for a request mix (measured window only; the recorder
 * decides what is measured): a few counters and an HDR histogram per kind.
 */
export class KindStats {
  private readonly kinds: KindAcc[];

  constructor(private readonly names: readonly string[]) {
    this.kinds = names.map(() => ({
      sent: 0,
      ok: 0,
      errors: 0,
      timeouts: 0,
      backpressure: 0,
      errors_by_class: {},
      latency: newHistogram(),
    }));
  }

  sent(kind: number): void {
    this.kinds[kind]!.sent++;
  }

  backpressure(kind: number): void {
    this.kinds[kind]!.backpressure++;
  }

  completed(kind: number, latencyUs: number, outcome: Outcome): void {
    const k = this.kinds[kind]!;
    if (outcome.kind === 'ok') {
      k.ok++;
      recordUs(k.latency, latencyUs);
      return;
    }
    const cls = outcome.kind === 'timeout' ? 'timeout' : outcome.cls;
    if (outcome.kind === 'timeout') k.timeouts++;
    else k.errors++;
    k.errors_by_class[cls] = (k.errors_by_class[cls] ?? 0) + 1;
  }

  snapshot(): Record<string, KindSnapshot> {
    const out: Record<string, KindSnapshot> = {};
    this.kinds.forEach((k, i) => {
      out[this.names[i]!] = {
        ...k,
        errors_by_class: { ...k.errors_by_class },
        latency: encode(k.latency),
      };
    });
    return out;
  }
}
