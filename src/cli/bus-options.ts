import type { Options } from 'yargs';
import { overridesFromFlags } from '../scenario/field-values.js';
import { authFields } from '../scenario/fields.js';
import type { NatsAuthFields } from '../scenario/scenario.js';
import { flagOptions } from './scenario-flags.js';

/**
 * NATS credential flags for a connection outside the scenario (an agent's own `--user` …),
 * from the same field table as the scenario's `--nats-*` and `--agents-*`. Secrets come from
 * environment variables or files only, never from a flag's value.
 */
export function busAuthOptions(prefix: string, what: string): Record<string, Options> {
  return flagOptions(authFields('', prefix, what, 'NATS'));
}

export function busAuthFields(a: Record<string, unknown>, prefix: string): NatsAuthFields {
  return overridesFromFlags(authFields('', prefix, '', 'NATS'), a) as NatsAuthFields;
}
