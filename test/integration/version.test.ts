import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
};

describe('--version', () => {
  it('every command prints the package version and exits 0, whatever it otherwise requires', async () => {
    expect(Object.keys(pkg.bin).sort()).toEqual([
      'bench-router',
      'builtin-router',
      'capacity-sweep',
      'perf-gate',
    ]);
    for (const [name, path] of Object.entries(pkg.bin)) {
      const r = await runCli(['--version'], { bin: join(ROOT, path) });
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stdout.trim(), name).toBe(pkg.version);
    }
  });
});
