import type { Argv } from 'yargs';

/**
 * Usage, description and examples laid out so nothing breaks inside a word: yargs wraps a
 * usage text holding a blank line, and its example column, at a fraction of the width, so
 * the description is a usage line of its own and the examples are an epilogue, each a
 * comment line over the command as typed.
 */
export function withHelp<T>(
  y: Argv<T>,
  usage: string,
  description: string,
  examples: [what: string, command: string][] = [],
): Argv<T> {
  let out = y.usage(usage).usage(' ').usage(description);
  if (examples.length) {
    out = out.epilogue('Examples:');
    for (const [what, command] of examples)
      out = out.epilogue(`  # ${what}`).epilogue(`  ${command}`);
  }
  return out.wrap(Math.min(110, process.stdout.columns ?? 110));
}
