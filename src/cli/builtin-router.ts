#!/usr/bin/env node
import { hideBin, yargs } from './yargs.js';
import { knobsFromFields } from '../targets/builtin-router/knob-args.js';
import { startHttpRouter } from '../targets/builtin-router/http-server.js';
import { startNatsRouter } from '../targets/builtin-router/nats-responder.js';
import { runCli, usageFail } from './run-cli.js';

runCli('builtin-router', async () => {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('builtin-router')
    .usage(
      '$0 [options]\n\nThe reference router (DESIGN section 5) with knobs for capacity and faults.',
    )
    .option('port', { type: 'number', default: 0, describe: 'HTTP port (0: pick a free one)' })
    .option('host', { type: 'string', default: '127.0.0.1' })
    .option('workers', {
      type: 'number',
      describe: 'requests served at once (0: unlimited)',
      default: 16,
    })
    .option('service-time', {
      type: 'string',
      describe: 'mean service time, e.g. 4ms',
      default: '1ms',
    })
    .option('service-dist', {
      choices: ['fixed', 'uniform', 'exp', 'lognormal'] as const,
      default: 'exp' as const,
    })
    .option('queue-limit', {
      type: 'number',
      describe: 'waiting requests before answering overloaded',
      default: 1000,
    })
    .option('error-rate', {
      type: 'number',
      describe: 'fraction answered internal_error',
      default: 0,
    })
    .option('stall-every', {
      type: 'string',
      describe: 'block the event loop every ... (e.g. 10s)',
    })
    .option('stall-for', { type: 'string', describe: '... for this long (e.g. 1s)' })
    .option('mem-growth-bytes', {
      type: 'number',
      describe: 'bytes retained per request (a leak)',
      default: 0,
    })
    .option('seed', { type: 'number', default: 1 })
    .option('nats', {
      type: 'string',
      describe: `also answer ${'beamline.router.v1.decide'} on this NATS server`,
    })
    .option('nats-ca', { type: 'string', describe: 'CA file for a TLS NATS server' })
    .parserConfiguration({ 'camel-case-expansion': false })
    .strict()
    .fail(usageFail)
    .parse();
  const knobs = knobsFromFields({
    workers: argv.workers,
    service_time: argv['service-time'],
    service_dist: argv['service-dist'],
    queue_limit: argv['queue-limit'],
    error_rate: argv['error-rate'],
    stall_every: argv['stall-every'],
    stall_for: argv['stall-for'],
    mem_growth_bytes: argv['mem-growth-bytes'],
    seed: argv.seed,
  });
  const router = await startHttpRouter(knobs, argv.port, argv.host);
  const nc = argv.nats
    ? await startNatsRouter(
        argv.nats,
        router.model,
        router.counters,
        argv['nats-ca'] ? { ca: argv['nats-ca'] } : {},
      )
    : undefined;
  // First stdout line is machine-readable: the parent waits for it to learn the port.
  process.stdout.write(
    `${JSON.stringify({ event: 'listening', http: `http://${argv.host}:${router.port}`, pid: process.pid })}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await nc?.drain().catch(() => undefined);
  await router.close();
  return 0;
});
