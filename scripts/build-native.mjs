#!/usr/bin/env node
/**
 * Builds the precise timer (native/precise_timer.c) at install: `npm ci` runs this as the
 * package's install script, with npm's own node-gyp and npm's settings (a machine without
 * internet access has `nodedir` set to the local Node headers). It never fails the install:
 * where the timer cannot be built (not Linux, no C compiler), one line says so and timing
 * falls back to the wake thread; each run's result says which timer kept its time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg) => process.stdout.write(`precise timer: ${msg}\n`);

if (process.platform !== 'linux') {
  say('not built (timerfd is Linux only); the generator keeps time with its wake thread');
  process.exit(0);
}

function nodeGyp() {
  // npm tells its scripts where its bundled node-gyp is; outside npm, look beside npm.
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp))
    return process.env.npm_config_node_gyp;
  try {
    const npmDir = dirname(createRequire(process.execPath).resolve('npm/package.json'));
    return join(npmDir, 'node_modules/node-gyp/bin/node-gyp.js');
  } catch {
    const guess = join(
      dirname(process.execPath),
      '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    );
    return existsSync(guess) ? guess : undefined;
  }
}

const gyp = nodeGyp();
if (!gyp) {
  say('not built (node-gyp not found); the generator keeps time with its wake thread');
  process.exit(0);
}
// Outside npm (`node scripts/build-native.mjs`), npm's settings are not in the environment.
const env = { ...process.env };
if (!env.npm_config_nodedir) {
  const q = spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' });
  const dir = q.status === 0 ? q.stdout.trim() : '';
  if (dir && dir !== 'undefined' && dir !== 'null') env.npm_config_nodedir = dir;
}
const r = spawnSync(process.execPath, [gyp, 'rebuild', '--directory', join(root, 'native')], {
  encoding: 'utf8',
  env,
});
if (r.status === 0) {
  say('built (native/build/Release/precise_timer.node)');
} else {
  const why = `${r.stderr ?? ''}${r.stdout ?? ''}`
    .split('\n')
    .find((l) => /error|not found|No such/i.test(l) && !/^gyp info/.test(l));
  say(
    `not built (${(why ?? r.error?.message ?? `node-gyp exited ${r.status}`).trim()}); the generator keeps time with its wake thread`,
  );
}
