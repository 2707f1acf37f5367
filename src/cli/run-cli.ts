import { ExitCode, isToolError, oneLine, ToolError } from '../errors.js';
import { yieldBackgroundThreads } from '../timing/background-threads.js';

/**
 * The one place a CLI turns an error into output: one line on stderr and the documented
 * exit code. A stack trace appears only with PERFKIT_DEBUG=1, for bugs.
 */
export function runCli(name: string, main: () => Promise<number>): void {
  const internal = (e: unknown): void => {
    process.stderr.write(`${name}: internal error: ${oneLine(e)}\n`);
    if (process.env.PERFKIT_DEBUG === '1' && e instanceof Error)
      process.stderr.write(`${e.stack}\n`);
  };
  // A throw inside a socket or timer callback never reaches main's promise: without these
  // Node prints a stack trace and exits 1, which CI reads as a regression.
  const crash = (e: unknown): void => {
    internal(e);
    process.exit(ExitCode.internal);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  // Before main starts any thread of its own: those must keep their priority.
  yieldBackgroundThreads();
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      if (isToolError(e)) {
        process.stderr.write(`${name}: ${e.message} [${e.code}]\n`);
        process.exitCode = e.exitCode;
        return;
      }
      internal(e);
      process.exitCode = ExitCode.internal;
    },
  );
}

/** yargs reports usage problems through this, so they become one line and exit 2. */
export function usageFail(msg: string | undefined, err: Error | undefined): never {
  if (isToolError(err)) throw err;
  throw new ToolError('E_USAGE', oneLine(msg ?? err?.message ?? 'invalid usage'));
}
