import type { Options } from 'yargs';
import type { NatsAuthFields } from '../scenario/scenario.js';

/**
 * NATS credential flags, declared once for each connection that needs them: the target's
 * (`--nats-user` …), the coordinator's bus (`--agents-user` …) and an agent's (`--user` …).
 * Secrets come from environment variables or files only, never from a flag's value.
 */
export function busAuthOptions(prefix: string, what: string): Record<string, Options> {
  return {
    [`${prefix}user`]: { type: 'string', describe: `${what} user (password from -env/-file)` },
    [`${prefix}password-env`]: {
      type: 'string',
      describe: `environment variable holding the ${what} password`,
    },
    [`${prefix}password-file`]: { type: 'string', describe: `file holding the ${what} password` },
    [`${prefix}token-env`]: {
      type: 'string',
      describe: `environment variable holding the ${what} token`,
    },
    [`${prefix}token-file`]: { type: 'string', describe: `file holding the ${what} token` },
    [`${prefix}nkey-file`]: { type: 'string', describe: `file holding an nkey seed (SU...)` },
    [`${prefix}creds`]: { type: 'string', describe: `${what} .creds file (JWT and seed)` },
  };
}

export function busAuthFields(a: Record<string, unknown>, prefix: string): NatsAuthFields {
  const get = (k: string): string | undefined => a[`${prefix}${k}`] as string | undefined;
  return {
    user: get('user'),
    password_env: get('password-env'),
    password_file: get('password-file'),
    token_env: get('token-env'),
    token_file: get('token-file'),
    nkey_file: get('nkey-file'),
    creds: get('creds'),
  };
}
