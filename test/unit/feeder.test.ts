import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFeeder, WINDOW, type DataSpec } from '../../src/workload/feeder.js';
import { checkDataFile, readRows } from '../../src/workload/rows.js';
import { tmp } from '../helpers/cli.js';

function jsonl(rows: number): string {
  const f = join(tmp(), 'rows.jsonl');
  writeFileSync(
    f,
    Array.from({ length: rows }, (_, i) => JSON.stringify({ id: i, n: { deep: i } })).join('\n'),
  );
  return f;
}

/** Takes `n` rows, waiting for the pump when none is ready (as the driver does). */
async function take(f: DataFeeder, n: number): Promise<(string | undefined)[]> {
  const out: (string | undefined)[] = [];
  while (out.length < n) {
    const row = f.take();
    if (row) out.push(row.id);
    else if (f.exhausted) break;
    else await new Promise((r) => setTimeout(r, 1));
  }
  return out;
}

const spec = (file: string, more: Partial<DataSpec> = {}): DataSpec => ({
  file,
  order: 'sequential',
  onEnd: 'wrap',
  ...more,
});

describe('data rows', () => {
  it('reads CSV with quoting and JSONL, values as strings', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.csv'), 'user,note\nalice,"a, b"\nbob,"line\nbreak"\n');
    const csv = [];
    for await (const r of readRows(join(dir, 'a.csv'))) csv.push(r);
    expect(csv).toEqual([
      { n: 1, row: { user: 'alice', note: 'a, b' } },
      { n: 2, row: { user: 'bob', note: 'line\nbreak' } },
    ]);
    const js = [];
    for await (const r of readRows(jsonl(2))) js.push(r.row);
    expect(js).toEqual([
      { id: '0', n: '{"deep":0}' },
      { id: '1', n: '{"deep":1}' },
    ]);
  });

  it('checks every row before the run: a missing field names its row', async () => {
    const f = join(tmp(), 'r.jsonl');
    writeFileSync(f, '{"a":1}\n{"a":2}\n\n{"b":3}\n');
    await expect(checkDataFile(f, ['a'], 1)).rejects.toThrow(/row 3: no field "a"/);
    expect(await checkDataFile(f, ['b'], 1).catch((e: Error) => e.message)).toMatch(/row 1/);
    await expect(checkDataFile(jsonl(3), ['id'], 4)).rejects.toThrow(/3 rows for 4/);
    expect(await checkDataFile(jsonl(3), ['id'], 3)).toBe(3);
  });
});

describe('DataFeeder', () => {
  it('shares take disjoint rows that cover the file, in file order', async () => {
    const file = jsonl(1000);
    const parts = await Promise.all(
      [0, 1, 2].map(async (index) => {
        const f = new DataFeeder(spec(file, { onEnd: 'stop' }), { index, count: 3 }, 1);
        await f.open();
        const rows = await take(f, 2000);
        expect(f.exhausted).toBe(true);
        return rows;
      }),
    );
    expect(parts[1]!.slice(0, 3)).toEqual(['1', '4', '7']);
    const all = parts.flat().map(Number);
    expect(all).toHaveLength(1000);
    expect(new Set(all).size).toBe(1000);
  });

  it('wraps to the start of the file (on_end: wrap)', async () => {
    const f = new DataFeeder(spec(jsonl(5)), { index: 0, count: 1 }, 1);
    await f.open();
    expect(await take(f, 12)).toEqual(['0', '1', '2', '3', '4', '0', '1', '2', '3', '4', '0', '1']);
    expect(f.exhausted).toBe(false);
    f.close();
  });

  it('random order: every row once per pass, shuffled, the same for a seed', async () => {
    const file = jsonl(3000);
    const run = async (seed: number) => {
      const f = new DataFeeder(
        spec(file, { order: 'random', onEnd: 'stop' }),
        { index: 0, count: 1 },
        seed,
      );
      await f.open();
      return take(f, 5000);
    };
    const a = await run(1);
    expect(a).toHaveLength(3000);
    expect(new Set(a).size).toBe(3000);
    expect(a.slice(0, 50)).not.toEqual(a.slice(0, 50).sort((x, y) => Number(x) - Number(y)));
    expect(await run(1)).toEqual(a);
    expect(await run(2)).not.toEqual(a);
  });

  it('reads ahead no more than its window', async () => {
    const f = new DataFeeder(spec(jsonl(WINDOW * 3)), { index: 0, count: 1 }, 1);
    await f.open();
    await new Promise((r) => setTimeout(r, 50));
    expect(f.size).toBeLessThanOrEqual(WINDOW);
    expect(f.size).toBeGreaterThan(WINDOW / 2);
    await take(f, WINDOW * 2);
    f.close();
  });
});
