import { HttpTransport, type HttpConfig } from './http.js';
import type { Transport } from './transport.js';

/** Transport settings as plain data, so a worker thread can build its own transport. */
export type TransportConfig = { kind: 'http' } & HttpConfig;

export function createTransport(cfg: TransportConfig): Transport {
  switch (cfg.kind) {
    case 'http':
      return new HttpTransport(cfg);
  }
}
