import { ToolError } from '../errors.js';
import { natsConnFrom, type NatsAuth } from '../transports/nats-config.js';
import { parseDuration } from '../util/duration.js';
import { readInputText } from '../util/read-input.js';
import type { NatsAuthFields, Scenario, ScenarioFile } from './scenario.js';

/** Agents and NATS credentials of a scenario: secrets only from the environment or files. */
/** `--agents N|all --nats URL` (a fleet that is already running) or `--local-agents N`. */
export async function agentsOf(a: ScenarioFile['agents']): Promise<Scenario['agents']> {
  if (!a || (a.count === undefined && a.local === undefined)) {
    if (a?.nats !== undefined) throw new ToolError('E_USAGE', '--nats goes with --agents N|all');
    return undefined;
  }
  const discoverMs = parseDuration(a.wait ?? '10s', 'agents wait');
  if (a.local !== undefined) {
    if (a.nats !== undefined)
      throw new ToolError(
        'E_USAGE',
        '--local-agents starts its own NATS server: leave out --nats (or use --agents N --nats URL)',
      );
    if (a.count !== undefined && a.count !== a.local)
      throw new ToolError(
        'E_USAGE',
        '--agents and --local-agents disagree on the number of agents',
      );
    return { count: a.local, bus: undefined, local: true, discoverMs };
  }
  if (a.nats === undefined)
    throw new ToolError(
      'E_USAGE',
      '--agents needs --nats URL: the NATS server the agents serve on',
    );
  return {
    count: a.count!,
    bus: natsConnFrom(a.nats, await natsAuth(a), '--nats'),
    local: false,
    discoverMs,
  };
}

/** Secrets come from environment variables or files, so they never sit in a scenario file. */
export async function natsAuth(n: NatsAuthFields): Promise<NatsAuth> {
  const secret = async (
    env: string | undefined,
    file: string | undefined,
    what: string,
  ): Promise<string | undefined> => {
    if (env !== undefined) {
      const v = process.env[env];
      if (v === undefined)
        throw new ToolError('E_USAGE', `${what}: environment variable ${env} is not set`);
      return v;
    }
    if (file !== undefined) return (await readInputText(file, what)).trim();
    return undefined;
  };
  const auth: NatsAuth = {};
  if (n.user !== undefined) {
    auth.user = n.user;
    auth.pass = await secret(n.password_env, n.password_file, 'NATS password');
  }
  const token = await secret(n.token_env, n.token_file, 'NATS token');
  if (token !== undefined) auth.token = token;
  if (n.nkey_file !== undefined) auth.nkeySeed = await readInputText(n.nkey_file, 'NATS nkey seed');
  if (n.creds !== undefined) auth.credsFile = n.creds;
  return auth;
}
