import { isToolError, oneLine, ToolError } from '../errors.js';

/**
 * The one place a CLI turns an error into output: one line on stderr and the documented
 * exit code. A stack trace appears only with PERFKIT_DEBUG=1, for bugs.
 */
export function runCli(name: string, main: () => Promise<number>): void {
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
      process.stderr.write(`${name}: internal error: ${oneLine(e)}\n`);
      if (process.env.PERFKIT_DEBUG === '1' && e instanceof Error)
        process.stderr.write(`${e.stack}\n`);
      process.exitCode = 1;
    },
  );
}

/** yargs reports usage problems through this, so they become one line and exit 2. */
export function usageFail(msg: string | undefined, err: Error | undefined): never {
  if (isToolError(err)) throw err;
  throw new ToolError('E_USAGE', oneLine(msg ?? err?.message ?? 'invalid usage'));
}
