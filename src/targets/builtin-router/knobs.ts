/** Behaviour knobs that give the reference router a real, known capacity and real faults. */
export type ServiceDist = 'fixed' | 'uniform' | 'exp' | 'lognormal';

export interface RouterKnobs {
  /** Requests served at once; 0 means unlimited (no queueing model). */
  workers: number;
  /** Mean service time per request in ms (0: answer at once). */
  serviceTimeMs: number;
  serviceDist: ServiceDist;
  /** Requests allowed to wait for a worker; beyond it the router answers `overloaded`. */
  queueLimit: number;
  /** Fraction of requests answered with an `internal_error`. */
  errorRate: number;
  /** Every `stallEveryMs` the event loop blocks for `stallForMs` (a GC pause or a lock). */
  stallEveryMs: number;
  stallForMs: number;
  /** Bytes retained per request (a leak), for soak and probe tests. */
  memGrowthBytes: number;
  seed: number;
}

export const DEFAULT_KNOBS: RouterKnobs = {
  workers: 16,
  serviceTimeMs: 1,
  serviceDist: 'exp',
  queueLimit: 1000,
  errorRate: 0,
  stallEveryMs: 0,
  stallForMs: 0,
  memGrowthBytes: 0,
  seed: 1,
};
