import { HttpTransport, type HttpConfig } from './http.js';
import { Http1Transport } from './http1.js';
import type { Transport } from './transport.js';

/** Transport settings as plain data, so a worker thread can build its own transport. */
export type TransportConfig = { kind: 'http' } & HttpConfig;

export function createTransport(cfg: TransportConfig): Transport {
  switch (cfg.kind) {
    case 'http':
      return cfg.engine === 'undici' ? new HttpTransport(cfg) : new Http1Transport(cfg);
  }
}
