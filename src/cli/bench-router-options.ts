import type { Options } from 'yargs';
import { scenarioOptions, type ScenarioArgv } from './scenario-flags.js';

/**
 * bench-router's whole flag set: the scenario's flags and the ones only the CLI reads. A
 * module of its own (the entry file runs on import) so the fast parser's test checks the
 * very declarations the CLI parses with.
 */
const OWN_OPTIONS: Record<string, Options> = {
  'load-performance': {
    type: 'string',
    describe: "write k6's summary-export JSON (GitLab's Load Performance widget)",
  },
};

export type BenchArgv = ScenarioArgv & { 'load-performance'?: string };

export function benchRouterOwnOptions(): Record<string, Options> {
  return OWN_OPTIONS;
}

export function benchRouterOptions(): Record<string, Options> {
  return { ...scenarioOptions(), ...OWN_OPTIONS };
}
