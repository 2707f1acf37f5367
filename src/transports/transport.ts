import type { Outcome } from '../record/recorder.js';

/**
 * One interface for every protocol (HTTP now; NATS request, publish and JetStream later).
 * The driver owns timing and accounting; a transport only sends request number `seq` and
 * reports how it ended, exactly once.
 */
export type Done = (outcome: Outcome) => void;

export interface Transport {
  /** Connects and proves the target answers; throws ToolError E_TARGET_UNREACHABLE. */
  open(): Promise<void>;
  /** Sends one request. The returned function aborts it (the driver's timeout). */
  send(seq: number, done: Done): (() => void) | undefined;
  close(): Promise<void>;
}
