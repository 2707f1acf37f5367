#!/usr/bin/env node
import { runBench } from '../run/bench.js';
import { appendJobSummary, runSummaryMarkdown } from '../report/job-summary.js';
import { loadPerformanceOf } from '../report/load-performance.js';
import { assertWritable, writeFileAtomic } from '../util/atomic-write.js';
import { scenarioFromArgv, withScenarioOptions } from './scenario-options.js';
import {
  benchRouterOptions,
  benchRouterOwnOptions,
  type BenchArgv,
} from './bench-router-options.js';
import { parseKnownFlags } from './known-flags.js';
import { runCli, usageFail } from './run-cli.js';
import { ExitCode } from '../errors.js';
import { invalidLine } from '../result/validity.js';
import { withHelp } from './help.js';
import { toolInfo } from '../util/tool-info.js';

/** The flags, by yargs only where the line needs it (help, mistakes): see known-flags.ts. */
async function parseFlags(args: string[]): Promise<BenchArgv> {
  const known = parseKnownFlags(args, benchRouterOptions());
  if (known) return known as BenchArgv;
  const { yargs } = await import('./yargs.js');
  const parsed: Record<string, unknown> = await withHelp(
    withScenarioOptions(yargs(args)).scriptName('bench-router'),
    '$0 --target URL|builtin --rate N [options]',
    'Drive a service at a controlled rate and record an honest result JSON.',
    [
      [
        'bench the built-in router',
        'bench-router --target builtin --rate 1000 --duration 30s --out reports/run.json',
      ],
      [
        'bench an HTTP service',
        'bench-router --target http://127.0.0.1:8080/api/v1/routes/decide --body @req.json --rate 500',
      ],
      [
        'ramp up, hold, ramp down, with an HTML report',
        'bench-router --target builtin --stages 30s:1000,1m:1000,30s:0 --html reports/run.html',
      ],
    ],
  )
    .options(benchRouterOwnOptions())
    .parserConfiguration({ 'camel-case-expansion': false })
    .strict()
    .version(toolInfo('bench-router').version)
    .fail(usageFail)
    .parse();
  return parsed as BenchArgv;
}

runCli('bench-router', async () => {
  // Subcommands load their own modules (the agent's NATS services client) only when used.
  if (process.argv[2] === 'nats')
    return (await import('./nats-command.js')).natsCommand(process.argv.slice(3));
  if (process.argv[2] === 'agent')
    return (await import('./agent-command.js')).agentCommand(process.argv.slice(3));
  const argv = await parseFlags(process.argv.slice(2));
  const scenario = await scenarioFromArgv(argv);
  const k6 = argv['load-performance'];
  if (k6) await assertWritable(k6);
  const { result, exitCode } = await runBench(scenario, {
    stdout: process.stdout,
    stderr: process.stderr,
    quiet: argv.quiet,
  });
  if (k6) await writeFileAtomic(k6, loadPerformanceOf(result)!);
  // --quiet drops the summary, not the reason for a failing exit code: a CI log must say
  // why the run was not valid.
  if (argv.quiet && exitCode === ExitCode.invalidRun)
    process.stderr.write(`bench-router: ${invalidLine(result)}\n`);
  await appendJobSummary(runSummaryMarkdown(result));
  return exitCode;
});
