import { BlockList, isIP } from 'node:net';
import { ToolError } from '../errors.js';
import type { TransportConfig } from '../transports/create.js';

/**
 * Which targets a generator agent may load. A fleet takes plans from whoever can publish on
 * its subjects, so each agent decides for itself: a plan is run only when every address it
 * would send to matches one of the agent's patterns.
 *
 * A pattern is HOST[:PORT]: HOST is a name with `*` wildcards (`*.svc.cluster.local`), an
 * IP address, or a CIDR block (`10.0.0.0/8`, `[fd00::/8]`); PORT is a number or `*`, and
 * no port means any port. Names are compared as written in the plan, never resolved.
 */
export const DEFAULT_ALLOW = ['127.0.0.1:*', '[::1]:*', 'localhost:*'];

export interface TargetAddress {
  host: string;
  port: number;
}

interface Pattern {
  text: string;
  port: number | '*';
  matchHost(host: string): boolean;
}

export function parsePattern(text: string): Pattern {
  const m = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d+|\*))?$/.exec(text.trim());
  if (!m) throw new ToolError('E_USAGE', `--allow-target "${text}": expected HOST[:PORT]`);
  const host = m[1]!.replace(/^\[|\]$/g, '').toLowerCase();
  const port = m[2] === undefined || m[2] === '*' ? '*' : Number(m[2]);
  if (port !== '*' && (port < 1 || port > 65535))
    throw new ToolError('E_USAGE', `--allow-target "${text}": port out of range`);
  if (host.includes('/')) {
    const [net, bits] = host.split('/');
    const family = isIP(net!);
    const prefix = Number(bits);
    const max = family === 6 ? 128 : 32;
    if (!family || !Number.isInteger(prefix) || prefix < 0 || prefix > max)
      throw new ToolError('E_USAGE', `--allow-target "${text}": not a valid CIDR block`);
    const block = new BlockList();
    block.addSubnet(net!, prefix, family === 6 ? 'ipv6' : 'ipv4');
    return {
      text,
      port,
      matchHost: (h) => isIP(h) !== 0 && block.check(h, isIP(h) === 6 ? 'ipv6' : 'ipv4'),
    };
  }
  const re = new RegExp(`^${host.split('*').map(escapeRe).join('[^:]*')}$`);
  return { text, port, matchHost: (h) => re.test(h) };
}

export function isAllowed(patterns: readonly Pattern[], a: TargetAddress): boolean {
  const host = a.host.replace(/^\[|\]$/g, '').toLowerCase();
  return patterns.some((p) => (p.port === '*' || p.port === a.port) && p.matchHost(host));
}

/** Every address a shard's transport would connect to. */
export function targetAddresses(t: TransportConfig): TargetAddress[] {
  const urls = t.kind === 'http' ? [t.url] : t.servers;
  return urls.map((raw) => {
    const u = new URL(raw.includes('://') ? raw : `nats://${raw}`);
    const port = u.port
      ? Number(u.port)
      : ({ 'http:': 80, 'https:': 443, 'nats:': 4222, 'tls:': 4222 } as Record<string, number>)[
          u.protocol
        ]!;
    return { host: u.hostname, port };
  });
}

/** The first address the patterns do not permit, or undefined when all are permitted. */
export function firstRefused(
  patterns: readonly Pattern[],
  t: TransportConfig,
): TargetAddress | undefined {
  return targetAddresses(t).find((a) => !isAllowed(patterns, a));
}

export const formatAddress = (a: TargetAddress): string =>
  `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;

function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
