#!/usr/bin/env node
import type { Argv } from 'yargs';
import { hideBin, yargs } from './yargs.js';
import { ExitCode, ToolError } from '../errors.js';
import { judgeRun } from '../result/validity.js';
import { loadPolicy } from '../gate/policy.js';
import { runBench } from '../run/bench.js';
import { calibrateInterleaved, runCompare } from '../run/compare.js';
import {
  calibrationTable,
  calibrationWarnings,
  deriveSlo,
  runGate,
  updateBaseline,
} from '../run/gate.js';
import { readScenarioFile, resolveScenario } from '../scenario/resolve.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { parseDuration } from '../util/duration.js';
import { builtinFields, builtinOptions } from './builtin-options.js';
import { runCli, usageFail } from './run-cli.js';
import { toolInfo } from '../util/tool-info.js';

const io = (quiet: boolean) => ({ stdout: process.stdout, stderr: process.stderr, quiet });

async function scenarioFrom(path: string, overrides: { repeat?: number; out?: string }) {
  return resolveScenario(await readScenarioFile(path), overrides);
}

runCli('perf-gate', async () => {
  let code: number = ExitCode.ok;
  const common = (y: Argv) =>
    y.option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors' });
  await common(yargs(hideBin(process.argv)))
    .scriptName('perf-gate')
    .usage('$0 --baseline B --policy P (--candidate C | --scenario S) [reports]')
    .usage(' ')
    .usage('Compare a run with a baseline under a policy.')
    .usage(
      'Exit 0 pass, 1 regression, 2 bad input, 3 inconclusive or not comparable, 4 internal error.',
    )
    .command(
      '$0',
      'judge a candidate against a baseline',
      (y) =>
        y
          .option('baseline', {
            type: 'string',
            demandOption: true,
            describe: 'baseline result (or any JSON with a metrics map)',
          })
          .option('policy', {
            type: 'string',
            demandOption: true,
            describe: 'policy JSON (CP1 format or version 2)',
          })
          .option('candidate', { type: 'string', describe: 'candidate result file' })
          .option('scenario', {
            type: 'string',
            describe: 'run this scenario first and judge its result',
          })
          .option('repeat', {
            type: 'number',
            describe: 'with --scenario: runs for noise-aware rules',
          })
          .option('candidate-out', {
            type: 'string',
            describe:
              'with --scenario: where the candidate result goes (default reports/candidate.json)',
          })
          .option('junit', { type: 'string', describe: 'JUnit XML, one test case per rule' })
          .option('markdown', { type: 'string', describe: 'Markdown summary for merge requests' })
          .option('metrics', { type: 'string', describe: 'OpenMetrics metrics.txt for GitLab' })
          .option('json', { type: 'string', describe: 'JSON verdict' })
          .option('html', { type: 'string', describe: 'self-contained HTML report with spectra' })
          .option('load-performance', {
            type: 'string',
            describe: "the candidate run as k6's summary-export JSON (GitLab Load Performance)",
          })
          .check((a) => {
            if (!a.candidate === !a.scenario)
              throw new ToolError(
                'E_USAGE',
                'give exactly one of --candidate FILE or --scenario FILE',
              );
            return true;
          }),
      async (a) => {
        const scenario = a.scenario
          ? await scenarioFrom(a.scenario, {
              repeat: a.repeat,
              out: a['candidate-out'] ?? 'reports/candidate.json',
            })
          : undefined;
        code = (
          await runGate(
            {
              baseline: a.baseline,
              policy: a.policy,
              candidate: a.candidate,
              scenario,
              junit: a.junit,
              markdown: a.markdown,
              metrics: a.metrics,
              json: a.json,
              html: a.html,
              loadPerformance: a['load-performance'],
            },
            io(a.quiet),
          )
        ).exitCode;
      },
    )
    .command(
      'compare',
      'interleaved A/B rounds against two running versions, judged pair by pair',
      (y) =>
        // The knob flags are generated (typed loosely), so they are declared beside the typed ones.
        (
          y.options({
            ...builtinOptions('baseline-builtin-', 'baseline built-in router'),
            ...builtinOptions('candidate-builtin-', 'candidate built-in router'),
          }) as unknown as typeof y
        )
          .option('policy', { type: 'string', demandOption: true, describe: 'policy JSON' })
          .option('scenario', {
            type: 'string',
            demandOption: true,
            describe: 'the load, run against each side in turn (its target is ignored)',
          })
          .option('baseline-target', {
            type: 'string',
            demandOption: true,
            describe: 'the version to compare against: URL or builtin',
          })
          .option('candidate-target', {
            type: 'string',
            demandOption: true,
            describe: 'the version under test: URL or builtin',
          })
          .option('baseline-subject', { type: 'string', describe: 'NATS: the baseline subject' })
          .option('candidate-subject', { type: 'string', describe: 'NATS: the candidate subject' })
          .option('budget', {
            type: 'string',
            default: '3m',
            describe: 'stop by then, decided or not (inconclusive: exit 3)',
          })
          .option('round', {
            type: 'string',
            describe: "one round's measured time (default: the scenario's duration)",
          })
          .option('round-warmup', {
            type: 'string',
            describe: "warm-up before each round (default: the scenario's warmup)",
          })
          .option('confidence', {
            type: 'number',
            default: 0.95,
            describe: 'for relative rules that do not set their own',
          })
          .option('seed', { type: 'number', describe: 'seed for the order within each pair' })
          .option('junit', { type: 'string', describe: 'JUnit XML, one test case per rule' })
          .option('markdown', { type: 'string', describe: 'Markdown summary with the rounds' })
          .option('metrics', { type: 'string', describe: 'OpenMetrics metrics.txt for GitLab' })
          .option('json', { type: 'string', describe: 'JSON verdict with every round' })
          .option('html', { type: 'string', describe: 'HTML report with the intervals narrowing' })
          .check((a) => {
            if (!(a.confidence > 0 && a.confidence < 1))
              throw new ToolError('E_USAGE', '--confidence must be between 0 and 1');
            return true;
          }),
      async (a) => {
        const side = (s: 'baseline' | 'candidate') => ({
          target: a[`${s}-target`],
          knobs: builtinFields(a, `${s}-builtin-`),
          subject: a[`${s}-subject`],
        });
        const ran = await runCompare(
          {
            policy: await loadPolicy(a.policy),
            policyPath: a.policy,
            scenarioFile: await readScenarioFile(a.scenario),
            baseline: side('baseline'),
            candidate: side('candidate'),
            budgetMs: parseDuration(a.budget, 'budget'),
            roundMs: a.round !== undefined ? parseDuration(a.round, 'round') : undefined,
            warmupMs:
              a['round-warmup'] !== undefined
                ? parseDuration(a['round-warmup'], 'round-warmup')
                : undefined,
            confidence: a.confidence,
            seed: a.seed,
            outputs: {
              json: a.json,
              junit: a.junit,
              markdown: a.markdown,
              metrics: a.metrics,
              html: a.html,
            },
          },
          io(a.quiet),
        );
        code = ran.exitCode;
      },
    )
    .command(
      'calibrate',
      'run the same code N times and report run-to-run noise per metric',
      (y) =>
        y
          .option('scenario', { type: 'string', demandOption: true })
          .option('runs', { type: 'number', default: 5, describe: 'how many runs (at least 3)' })
          .option('interleaved', {
            type: 'boolean',
            default: false,
            describe:
              'A/A as perf-gate compare runs it: the smallest change compare detects within --budget',
          })
          .option('target', {
            type: 'string',
            describe: "--interleaved: the service (default: the scenario's target)",
          })
          .option('pairs', {
            type: 'number',
            default: 12,
            describe: '--interleaved: A/A pairs to measure the noise on',
          })
          .option('budget', {
            type: 'string',
            default: '3m',
            describe: '--interleaved: the compare budget to size the answer for',
          })
          .option('policy', {
            type: 'string',
            describe: 'warn where its tolerances are tighter than the noise',
          })
          .option('confidence', { type: 'number', default: 0.95 })
          .option('out', { type: 'string', describe: 'write the calibration as JSON' }),
      async (a) => {
        if (a.interleaved) {
          code = await calibrateInterleaved(
            {
              scenario: a.scenario,
              target: a.target,
              pairs: a.pairs,
              budget: a.budget,
              policy: a.policy,
              confidence: a.confidence,
              out: a.out,
            },
            io(a.quiet),
          );
          return;
        }
        if (!(a.runs >= 3)) throw new ToolError('E_USAGE', '--runs must be at least 3');
        const policy = a.policy ? await loadPolicy(a.policy) : undefined;
        const scenario = await scenarioFrom(a.scenario, {
          repeat: a.runs,
          out: 'reports/calibration-runs.json',
        });
        const { result, exitCode } = await runBench(scenario, io(true));
        if (exitCode !== ExitCode.ok) {
          code = exitCode === ExitCode.interrupted ? exitCode : ExitCode.invalidRun;
          const why = judgeRun(result).findings.flatMap((f) => f.reasons);
          process.stderr.write(
            `perf-gate: calibration runs are not usable: ${why.join('; ') || `exit ${exitCode}`}\n`,
          );
          return;
        }
        const rows = calibrationTable(result.samples ?? {}, a.runs, a.confidence);
        const warnings = calibrationWarnings(rows, policy);
        if (!a.quiet) {
          const table = [
            ['metric', 'mean', 'cv %', `min detectable % (${a.runs} vs ${a.runs} runs)`],
            ...rows.map((r) => [
              r.metric,
              String(r.mean),
              String(r.cv_pct),
              String(r.min_detectable_pct),
            ]),
          ];
          const w = [0, 1, 2, 3].map((c) => Math.max(...table.map((t) => t[c]!.length)));
          process.stdout.write(
            `${table.map((t) => t.map((x, c) => x.padEnd(w[c]!)).join('  ')).join('\n')}\n`,
          );
          for (const warning of warnings) process.stdout.write(`warning: ${warning}\n`);
        }
        if (a.out)
          await writeFileAtomic(
            a.out,
            `${JSON.stringify({ runs: a.runs, confidence: a.confidence, metrics: rows, warnings }, null, 2)}\n`,
          );
      },
    )
    .command(
      'baseline update',
      'write a new baseline from a run, with provenance',
      (y) =>
        y
          .option('from', {
            type: 'string',
            demandOption: true,
            describe: 'the run result to promote',
          })
          .option('baseline', {
            type: 'string',
            default: 'baselines/baseline.json',
            describe: 'baseline file to write',
          })
          .option('reason', {
            type: 'string',
            demandOption: true,
            describe: 'why the baseline changes',
          }),
      async (a) => updateBaseline(a.from, a.baseline, a.reason, io(a.quiet)),
    )
    .command(
      'slo derive',
      'write an SLO policy and SLO.md from a baseline',
      (y) =>
        y
          .option('baseline', { type: 'string', demandOption: true })
          .option('factor', {
            type: 'number',
            default: 1.5,
            describe: 'latency targets = baseline x factor',
          })
          .option('error-budget', {
            type: 'number',
            default: 0.001,
            describe: 'minimum error-rate budget (0.001 = 0.1%)',
          })
          .option('out', { type: 'string', default: 'policies/slo.json' })
          .option('doc', { type: 'string', default: 'SLO.md' }),
      async (a) => deriveSlo(a.baseline, a.factor, a['error-budget'], a.out, a.doc, io(a.quiet)),
    )
    .parserConfiguration({ 'camel-case-expansion': false })
    .strict()
    .version(toolInfo('perf-gate').version)
    .fail(usageFail)
    // Wide enough that descriptions wrap between words, not inside them.
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .parseAsync();
  return code;
});
