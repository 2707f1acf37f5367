#!/usr/bin/env node
import { hideBin, yargs } from './yargs.js';
import { ExitCode, ToolError } from '../errors.js';
import { runSweep, sweepInvalidLine } from '../run/sweep.js';
import { DEFAULT_SWEEP } from '../sweep/controller.js';
import { parseDuration } from '../util/duration.js';
import { runCli, usageFail } from './run-cli.js';
import { scenarioFromArgv, withScenarioOptions } from './scenario-options.js';
import { toolInfo } from '../util/tool-info.js';

/** Percentages as `0.1%` or fractions as `0.001`. */
function parseRate(v: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(v.trim());
  if (!m) throw new ToolError('E_USAGE', `${what}: "${v}" is not a rate (e.g. 0.1% or 0.001)`);
  return m[2] ? Number(m[1]) / 100 : Number(m[1]);
}

const IGNORED: [string, string][] = [
  ['rate', 'each step sets its own rate (use --start and --max)'],
  ['stages', 'each step offers one constant rate (use --start and --max)'],
  ['start-rate', 'use --start'],
  ['concurrency', 'a sweep offers open-loop rates (use --start and --max)'],
  ['duration', 'use --step-duration'],
  ['warmup', 'use --step-warmup'],
  ['repeat', 'each step runs once'],
  ['hgrm', 'the sweep writes --out, --markdown and --html'],
  ['hist-log', 'the sweep writes --out, --markdown and --html'],
  ['save-baseline', 'a sweep is not a baseline run (use bench-router --save-baseline)'],
  ['fault-at', 'faults belong to one bench-router run'],
  ['fault-cmd', 'faults belong to one bench-router run'],
  ['recover-at', 'faults belong to one bench-router run'],
  ['recover-cmd', 'faults belong to one bench-router run'],
];

runCli('capacity-sweep', async () => {
  const argv = await withScenarioOptions(yargs(hideBin(process.argv)))
    .scriptName('capacity-sweep')
    .usage('$0 --target URL|builtin --slo-p99 200ms --max-error-rate 0.1% --out F')
    .usage(' ')
    .usage(
      'Raise the offered rate until the service breaks its SLO; report the maximum sustainable rate and why it broke.',
    )
    .option('slo-p99', {
      type: 'string',
      demandOption: true,
      describe: 'p99 latency objective, e.g. 200ms',
    })
    .option('max-error-rate', {
      type: 'string',
      default: '0.1%',
      describe: 'error budget per step, e.g. 0.1%',
    })
    .option('min-achieved', {
      type: 'string',
      default: '98%',
      describe: 'achieved / offered below this fails a step',
    })
    .option('start', {
      type: 'number',
      default: DEFAULT_SWEEP.startRps,
      describe: 'first offered rate',
    })
    .option('max', { type: 'number', default: 200_000, describe: 'highest rate to try' })
    .option('growth', {
      type: 'number',
      default: DEFAULT_SWEEP.growth,
      describe: 'rate multiplier while bracketing',
    })
    .option('resolution', { type: 'string', default: '5%', describe: 'stop bisecting within this' })
    .option('max-steps', { type: 'number', default: DEFAULT_SWEEP.maxSteps })
    .option('step-duration', {
      type: 'string',
      default: '10s',
      describe: 'measured length of each step',
    })
    .option('step-warmup', { type: 'string', default: '2s', describe: 'warm-up of each step' })
    .option('markdown', { type: 'string', describe: 'write the capacity report as Markdown' })
    .option('out', { type: 'string', describe: 'sweep report JSON; default reports/capacity.json' })
    .check((a) => {
      // Flags shared with bench-router that a sweep would silently override or drop.
      for (const [flag, instead] of IGNORED)
        if (a[flag] !== undefined)
          throw new ToolError('E_USAGE', `--${flag} does not apply to capacity-sweep: ${instead}`);
      return true;
    })
    .parserConfiguration({ 'camel-case-expansion': false })
    .strict()
    .version(toolInfo('capacity-sweep').version)
    .fail(usageFail)
    // Wide enough that descriptions wrap between words, not inside them.
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .parse();
  const base = await scenarioFromArgv(argv, {
    rate: 1, // each step sets its own rate
    duration: argv['step-duration'],
    warmup: argv['step-warmup'],
  });
  const { report, exitCode } = await runSweep(
    base,
    {
      p99Ms: parseDuration(argv['slo-p99'], '--slo-p99'),
      maxErrorRate: parseRate(argv['max-error-rate'], '--max-error-rate'),
      minAchievedRatio: parseRate(argv['min-achieved'], '--min-achieved'),
    },
    {
      startRps: argv.start,
      maxRps: argv.max,
      growth: argv.growth,
      resolution: parseRate(argv.resolution, '--resolution'),
      maxSteps: argv['max-steps'],
    },
    {
      json: argv.out ?? 'reports/capacity.json',
      ...(argv.markdown ? { markdown: argv.markdown } : {}),
      ...(typeof argv.html === 'string' ? { html: argv.html } : {}),
    },
    { stdout: process.stdout, stderr: process.stderr, quiet: argv.quiet },
  );
  // --quiet drops the summary, not the reason for a failing exit code.
  if (argv.quiet && exitCode === ExitCode.invalidRun)
    process.stderr.write(`capacity-sweep: ${sweepInvalidLine(report)}\n`);
  return exitCode;
});
