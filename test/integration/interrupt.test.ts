import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCountersAddUp, readResult, runCli, schemaErrors, tmp } from '../helpers/cli.js';

describe('Ctrl-C mid-run', () => {
  it('writes a partial result marked interrupted, exits 130, and never saves the baseline', async () => {
    const dir = tmp();
    const out = join(dir, 'run.json');
    const base = join(dir, 'baseline.json');
    const r = await runCli(
      [
        '--target',
        'builtin',
        '--rate',
        '200',
        '--duration',
        '30s',
        '--warmup',
        '500ms',
        '--out',
        out,
        '--save-baseline',
        base,
      ],
      {
        onSpawn: (child) => {
          let sent = false;
          child.stderr!.on('data', (d: Buffer) => {
            // Interrupt once the run is measuring, as a person would.
            if (!sent && d.toString().includes('[measure]')) {
              sent = true;
              setTimeout(() => child.kill('SIGINT'), 1500);
            }
          });
        },
      },
    );
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted');
    const res = readResult(out);
    expect(schemaErrors(res)).toBe('');
    expect(res.run.interrupted).toBe(true);
    expect(res.run.duration_s).toBeGreaterThan(1);
    expect(res.run.duration_s).toBeLessThan(10);
    expect(res.metrics.requests_total).toBeGreaterThan(100);
    expectCountersAddUp(res);
    expect(existsSync(base)).toBe(false);
    expect(r.stderr).toContain('baseline NOT saved');
  });
});
