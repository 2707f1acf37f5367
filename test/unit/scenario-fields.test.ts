import { readFileSync } from 'node:fs';
import prettier from 'prettier';
import yargs from 'yargs';
import { withScenarioOptions } from '../../src/cli/scenario-flags.js';
import { describe, expect, it } from 'vitest';
import { fieldsMarkdown, scenarioSchema } from '../../src/scenario/field-schema.js';
import { helpText, scenarioFields } from '../../src/scenario/fields.js';
import { overridesFromFlags } from '../../src/scenario/field-values.js';
import { resolveScenario } from '../../src/scenario/resolve.js';
import { parseDuration } from '../../src/util/duration.js';

const read = (p: string): string => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');

describe('one field table for flags, schema and docs', () => {
  it('the published schema is what the table makes (run npm run gen:scenario)', () => {
    expect(JSON.parse(read('schemas/scenario.schema.json'))).toEqual(scenarioSchema());
  });

  it('the field reference is what the table makes (run npm run gen:scenario)', async () => {
    const made = await prettier.format(fieldsMarkdown(), { parser: 'markdown' });
    expect(read('docs/scenario-fields.md')).toBe(made);
  });

  it('names every field and flag once', () => {
    const fields = scenarioFields();
    const paths = fields.map((f) => f.path);
    const flags = fields.flatMap((f) => (f.flag ? [f.flag, ...(f.aliases ?? [])] : []));
    expect(new Set(paths).size).toBe(paths.length);
    expect(new Set(flags).size).toBe(flags.length);
  });

  it('--help holds every flag text whole: no word broken across lines', async () => {
    const help = await withScenarioOptions(yargs([])).wrap(110).getHelp();
    for (const line of help.split('\n')) expect(line.length).toBeLessThanOrEqual(110);
    const tokens = new Set(help.split(/\s+/));
    for (const f of scenarioFields().filter((x) => x.flag))
      for (const word of helpText(f).split(/\s+/))
        expect(tokens.has(word), `--${f.flag}: "${word}"`).toBe(true);
  });

  it('the defaults the table states are the ones a run gets', async () => {
    const d = Object.fromEntries(scenarioFields().map((f) => [f.path, f.default]));
    const ms = (path: string): number => parseDuration(d[path]!, path);
    const http = await resolveScenario(
      { target: 'http://127.0.0.1:1/', rate: 1, probe_prom: 'http://127.0.0.1:1/metrics' },
      {},
    );
    expect(http.load.durationMs).toBe(ms('duration'));
    expect(http.load.warmupMs).toBe(ms('warmup'));
    expect(http.workload.timeoutMs).toBe(ms('timeout'));
    expect(http.load.maxSendLagMs).toBe(ms('max_send_lag'));
    expect(http.outputs.metricsLingerMs).toBe(ms('metrics_linger'));
    expect(String(http.http.connections)).toBe(d.connections);
    expect(String(http.load.maxInFlight)).toBe(d.max_in_flight);
    expect(String(http.load.threads)).toBe(d.threads);
    expect(String(http.load.seed)).toBe(d.seed);
    expect(String(http.probes.leakThresholdMbPerMin)).toBe(d.leak_threshold);
    expect(http.load.arrival).toBe(d.arrival);
    expect(http.http.engine).toBe(d.http_engine);
    expect(http.outputs.out).toBe(d.out);
    expect(http.workload.overloadCodes).toEqual([d.overload_codes]);
    expect(http.probes.prom).toMatchObject({ mem: d.probe_prom_mem, cpu: d.probe_prom_cpu });
    const nats = await resolveScenario({ target: 'nats://127.0.0.1:1', rate: 1 }, {});
    expect(nats.nats).toMatchObject({
      mode: d.mode,
      subject: d.subject,
      deliver: d['deliver'],
    });
  });

  it('turns flags into the file shape: nested objects, parsed texts, nothing for unset flags', () => {
    const o = overridesFromFlags(scenarioFields(), {
      rate: 500,
      'tls-ca': 'ca.pem',
      insecure: false,
      header: ['X-A: 1', 'X-B:two'],
      stages: '10s:100,20s:0',
      tenants: 'a, b,,c',
      agents: 'all',
      'local-agents': undefined,
      'nats-user': 'u',
      'builtin-workers': 4,
    });
    expect(o).toEqual({
      rate: 500,
      tls: { ca: 'ca.pem', insecure: false },
      headers: { 'X-A': '1', 'X-B': 'two' },
      stages: [
        { duration: '10s', target: 100 },
        { duration: '20s', target: 0 },
      ],
      tenants: ['a', 'b', 'c'],
      agents: { count: 'all' },
      nats: { user: 'u' },
      builtin: { workers: 4 },
    });
    expect(() => overridesFromFlags(scenarioFields(), { agents: '0' })).toThrow(
      /--agents "0": expected a number of agents or "all"/,
    );
  });
});
