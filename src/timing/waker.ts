/**
 * Something that calls back at (or just after) given instants. The timer queue asks for the
 * earliest deadline and the one after it, so a waker that can sleep on its own (the wake
 * thread) goes from the first to the second without waiting to be told again.
 */
export interface Waker {
  /** Call the handler at `first`, then again at `then` (Infinity: not at all). */
  arm(first: number, then: number): void;
  setHandler(fn: () => void): void;
  /** Resolves when the waker can keep a deadline (a thread has started). */
  ready?(): Promise<void>;
}
