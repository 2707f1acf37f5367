import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCountersAddUp, readResult, ROOT, runCli, tmp } from '../helpers/cli.js';

/** Every key path of a JSON value; an array stands for its first element's keys. */
function keyPaths(v: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) {
    if (v.length && typeof v[0] === 'object' && v[0] !== null) keyPaths(v[0], `${prefix}[]`, out);
    else out.add(`${prefix}[]`);
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) keyPaths(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.add(prefix);
  return out;
}

/**
 * The result a user's scripts and dashboards read keeps its shape through refactoring: the
 * same scenario gives the same key set and counters as a stored example, produced by the
 * release before the run was split into phases.
 */
describe('result shape', () => {
  it('the same scenario gives the same result fields and counters as the stored example', async () => {
    const fixture = JSON.parse(
      readFileSync(join(ROOT, 'test/fixtures/result-shape.json'), 'utf8'),
    ) as { scenario: string[]; keys: string[]; counters: unknown; warmup: unknown };
    const out = join(tmp(), 'r.json');
    const r = await runCli([...fixture.scenario, '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const res = readResult(out);
    // The wait for a core is read from Linux's schedstat; elsewhere it is absent.
    const linuxOnly = (k: string): boolean =>
      process.platform === 'linux' || k !== 'generator.cpu_wait_pct';
    expect([...keyPaths(res)].sort()).toEqual(fixture.keys.filter(linuxOnly));
    expect(res.counters).toEqual(fixture.counters);
    expect(res.warmup).toEqual(fixture.warmup);
  });

  it('says which timer kept the send times, and the wake thread still keeps them when asked', async () => {
    const fixture = JSON.parse(
      readFileSync(join(ROOT, 'test/fixtures/result-shape.json'), 'utf8'),
    ) as { scenario: string[]; counters: unknown };
    const out = join(tmp(), 'r.json');
    const r = await runCli([...fixture.scenario, '--out', out, '--quiet'], {
      env: { ...process.env, PERFKIT_TIMER: 'thread' },
    });
    expect(r.code, r.stderr).toBe(0);
    const res = readResult(out);
    expect(res.generator.timer).toBe('wake_thread');
    expect(res.counters).toEqual(fixture.counters);
    expectCountersAddUp(res);
    const def = join(tmp(), 'd.json');
    expect((await runCli([...fixture.scenario, '--out', def, '--quiet'])).code).toBe(0);
    expect(readResult(def).generator.timer).toBe(
      process.platform === 'linux' && !process.env.PERFKIT_TIMER ? 'timerfd' : 'wake_thread',
    );
  });
});
