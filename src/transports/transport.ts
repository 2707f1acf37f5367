import type { Outcome } from '../record/recorder.js';
import type { DataRow } from './template.js';

/**
 * One interface for every protocol (HTTP now; NATS request, publish and JetStream later).
 * The driver owns timing and accounting; a transport only sends request number `seq` and
 * reports how it ended, exactly once. `endMs`: when it ended, from a transport that ends
 * many requests at one instant (a flush acknowledging a batch of publishes), so that each
 * does not read the clock again.
 */
export type Done = (outcome: Outcome, endMs?: number) => void;

export interface Transport {
  /** Connects and proves the target answers; throws ToolError E_TARGET_UNREACHABLE. */
  open(): Promise<void>;
  /**
   * Sends request number `seq` of kind `kind` (its index in the mix; 0 without one), with
   * its data row when the run has a feeder. The returned function aborts it (the driver's
   * timeout).
   */
  send(seq: number, done: Done, kind?: number, row?: DataRow): (() => void) | undefined;
  /**
   * How many more requests it can put on the wire now without queueing them itself (free
   * keep-alive connections for HTTP/1.1); absent when it never has to wait. The driver sends
   * no more than this, so a request never waits, and times out, inside the transport.
   */
  available?(): number;
  /**
   * With available(): called when capacity frees up other than by a request ending (a late
   * answer to a timed-out request, a reconnect), so a driver waiting for it goes on.
   */
  setAvailableListener?(fn: () => void): void;
  close(): Promise<void>;
}
