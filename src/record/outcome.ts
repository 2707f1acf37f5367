/** How one request ended: the transports' verdict, the recorder's input. */
export type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'error'; readonly cls: string; readonly backpressure?: string }
  | { readonly kind: 'timeout' };

export const OK: Outcome = Object.freeze({ kind: 'ok' });
