import type { HttpConfig } from './http-target.js';
import type { NatsConfig } from './nats.js';
import type { Transport } from './transport.js';

/** Transport settings as plain data, so a worker thread can build its own transport. */
export type TransportConfig = ({ kind: 'http' } & HttpConfig) | ({ kind: 'nats' } & NatsConfig);

/**
 * Loads only the engine a run uses: undici and the NATS clients each cost ~0.1 s of CPU
 * to load, which a short run at a low rate would otherwise pay on every start.
 */
export async function createTransport(cfg: TransportConfig): Promise<Transport> {
  switch (cfg.kind) {
    case 'http':
      if (cfg.engine === 'undici') return new (await import('./http.js')).HttpTransport(cfg);
      return new (await import('./http1.js')).Http1Transport(cfg);
    case 'nats': {
      const { NatsTransport } = await import('./nats.js');
      const n = cfg.connections ?? 1;
      if (n <= 1) return new NatsTransport(cfg);
      const { TransportPool } = await import('./nats-pool.js');
      return new TransportPool(Array.from({ length: n }, () => new NatsTransport(cfg)));
    }
  }
}
