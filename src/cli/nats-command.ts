import { yargs } from './yargs.js';
import { ExitCode } from '../errors.js';
import { lifecycleStart, lifecycleStatus, lifecycleStop } from '../nats-server/server.js';
import { usageFail } from './run-cli.js';

/**
 * `bench-router nats start|stop|status`: a local nats-server with JetStream for tests and
 * demos. Idempotent: start on a running server prints it, stop on a stopped one is fine.
 * `status` exits 0 when running, 1 when not.
 */
export async function natsCommand(args: string[]): Promise<number> {
  let code: number = ExitCode.ok;
  const dirOpt = {
    type: 'string',
    default: '.nats',
    describe: 'state, config, store and logs',
  } as const;
  await yargs(args)
    .scriptName('bench-router nats')
    .command(
      'start',
      'start a local nats-server (JetStream on) and wait until it is healthy',
      (y) =>
        y.option('dir', dirOpt).option('tls', {
          type: 'boolean',
          default: false,
          describe: 'require TLS, with certificates made for it',
        }),
      async (a) => {
        const { state, already } = await lifecycleStart(a.dir, a.tls);
        process.stdout.write(
          `${already ? 'already running' : 'started'}: ${state.url} (pid ${state.pid}, monitor ${state.monitorUrl}${state.version ? `, nats-server ${state.version}` : ''})\n` +
            (state.tls
              ? `TLS: --tls-ca ${state.tls.ca} --tls-cert ${state.tls.clientCert} --tls-key ${state.tls.clientKey}\n`
              : ''),
        );
      },
    )
    .command(
      'stop',
      'stop the local nats-server',
      (y) => y.option('dir', dirOpt),
      async (a) => {
        process.stdout.write((await lifecycleStop(a.dir)) ? 'stopped\n' : 'not running\n');
      },
    )
    .command(
      'status',
      'version, connections and memory of the local nats-server',
      (y) => y.option('dir', dirOpt).option('json', { type: 'boolean', default: false }),
      async (a) => {
        const s = await lifecycleStatus(a.dir);
        if (!s) {
          process.stdout.write('not running\n');
          code = 1;
          return;
        }
        process.stdout.write(
          a.json
            ? `${JSON.stringify(s, null, 2)}\n`
            : `running: ${s.url} (pid ${s.pid}), nats-server ${s.version}, ${s.connections} connections, ${s.mem_mb} MB, JetStream ${s.jetstream ? 'on' : 'off'}${s.tls ? ', TLS required' : ''}\n`,
        );
      },
    )
    .demandCommand(1, 'give start, stop or status')
    .parserConfiguration({ 'camel-case-expansion': false })
    .strict()
    .version(false)
    .fail(usageFail)
    .parseAsync();
  return code;
}
