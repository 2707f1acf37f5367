import { HttpTransport, type HttpConfig } from './http.js';
import { Http1Transport } from './http1.js';
import { NatsTransport, type NatsConfig } from './nats.js';
import type { Transport } from './transport.js';

/** Transport settings as plain data, so a worker thread can build its own transport. */
export type TransportConfig = ({ kind: 'http' } & HttpConfig) | ({ kind: 'nats' } & NatsConfig);

export function createTransport(cfg: TransportConfig): Transport {
  switch (cfg.kind) {
    case 'http':
      return cfg.engine === 'undici' ? new HttpTransport(cfg) : new Http1Transport(cfg);
    case 'nats':
      return new NatsTransport(cfg);
  }
}
