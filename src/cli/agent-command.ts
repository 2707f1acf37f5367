import { hostname } from 'node:os';
import { yargs } from './yargs.js';
import { GeneratorAgent } from '../agents/agent.js';
import { DEFAULT_ALLOW, parsePattern } from '../agents/allowlist.js';
import { ExitCode, ToolError } from '../errors.js';
import { natsAuth } from '../scenario/resolve.js';
import { natsConnFrom } from '../transports/nats-config.js';
import { parseDuration } from '../util/duration.js';
import { redactUrl } from '../util/redact.js';
import { busAuthFields, busAuthOptions } from './bus-options.js';
import { usageFail } from './run-cli.js';

/**
 * `bench-router agent`: serve as a generator agent until SIGINT/SIGTERM. Runs plans from a
 * coordinator (`bench-router --agents …`) for targets its allowlist permits.
 */
export async function agentCommand(args: string[]): Promise<number> {
  const a = await yargs(args)
    .scriptName('bench-router agent')
    .usage(
      '$0 --nats URL [--name N] [--allow-target HOST[:PORT]…] [credentials]\n\nServe as a generator agent: run shares of a load schedule for a coordinator (bench-router --agents N --nats URL).',
    )
    .options(busAuthOptions('', 'NATS'))
    .option('nats', {
      type: 'string',
      demandOption: 'give --nats URL: the NATS server to serve on',
      describe: 'NATS URL(s), comma-separated; the server must require authentication',
    })
    .option('name', {
      type: 'string',
      describe: 'agent name shown to coordinators; default host-pid',
    })
    .option('allow-target', {
      type: 'string',
      array: true,
      describe: `targets this agent may load: HOST[:PORT], * wildcards, CIDR; default ${DEFAULT_ALLOW.join(' ')}`,
    })
    .option('max-rate', {
      type: 'number',
      describe: 'refuse plans that ask this agent for more req/s than this',
    })
    .option('max-duration', {
      type: 'string',
      describe: 'refuse plans longer than this (warm-up included), e.g. 30m',
    })
    .option('tls-ca', { type: 'string', describe: 'CA certificate for a TLS NATS server' })
    .option('tls-cert', { type: 'string', describe: 'client certificate (mTLS)' })
    .option('tls-key', { type: 'string', describe: 'client key (mTLS)' })
    .example(
      '$0 --nats nats://nats.perf:4222 --user agent --password-env AGENT_PASSWORD --allow-target "*.svc.cluster.local:*"',
      'serve on a cluster bus, loading in-cluster services only',
    )
    .parserConfiguration({ 'camel-case-expansion': false })
    .strict()
    .version(false)
    .fail(usageFail)
    .parseAsync();
  const allow = (a['allow-target'] as string[] | undefined) ?? DEFAULT_ALLOW;
  allow.forEach(parsePattern); // a bad pattern is a usage error before connecting
  const maxRate = a['max-rate'] as number | undefined;
  if (maxRate !== undefined && !(maxRate > 0))
    throw new ToolError('E_USAGE', '--max-rate: must be a number above 0');
  const conn = natsConnFrom(String(a.nats), await natsAuth(busAuthFields(a, '')), '--nats');
  const tls =
    a['tls-ca'] || a['tls-cert']
      ? { ca: a['tls-ca'] as string, cert: a['tls-cert'] as string, key: a['tls-key'] as string }
      : undefined;
  const name = (a.name as string | undefined) ?? `${hostname()}-${process.pid}`;
  const log = (line: string): void => void process.stderr.write(`agent ${name}: ${line}\n`);
  const agent = await GeneratorAgent.start({
    bus: { ...conn, ...(tls ? { tls } : {}) },
    name,
    allow,
    limits: {
      ...(maxRate !== undefined ? { maxRate } : {}),
      ...(a['max-duration'] !== undefined
        ? { maxDurationMs: parseDuration(String(a['max-duration']), 'max-duration') }
        : {}),
    },
    log,
  });
  log(
    `serving as ${agent.id} on ${conn.servers.map(redactUrl).join(',')}; targets allowed: ${allow.join(', ')}`,
  );
  let stopping = false;
  const stopped = new Promise<number>((resolve) => {
    const stop = (): void => {
      stopping = true;
      log('stopping');
      void agent.stop().then(() => resolve(ExitCode.ok));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  const lost = agent.closed.then(() => {
    if (stopping) return ExitCode.ok;
    log('NATS connection closed');
    return ExitCode.invalidRun;
  });
  return Promise.race([stopped, lost]);
}
