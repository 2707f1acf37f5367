import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HistogramLogReader } from 'hdr-histogram-js';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capacityHtml, runHtml } from '../../src/report/html.js';
import type { SweepReport } from '../../src/sweep/report.js';
import { ROOT, readResult, runCli, runGateCli, tmp } from '../helpers/cli.js';

/**
 * Each report kind opened in real headless Chromium (Debian's, no download): no console
 * errors, every chart present with data in every series, and a screenshot that is not blank.
 */
let browser: Browser;
const dir = tmp();
const shots = join(ROOT, 'reports', 'screenshots');

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

async function check(
  file: string,
  expected: Record<string, string[]>,
  shotName: string,
  more?: (page: Page) => Promise<void>,
): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  // Any request off the file system would be a report that is not self-contained.
  const requests: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  await page.goto(`file://${file}`);
  const charts = (await page.evaluate('window.__charts')) as {
    id: string;
    series: string[];
    points: number[];
  }[];
  expect(errors).toEqual([]);
  expect(requests).toEqual([]);
  for (const [id, series] of Object.entries(expected)) {
    const c = charts.find((x) => x.id === id);
    expect(c, id).toBeDefined();
    expect(c!.series).toEqual(series);
    c!.points.forEach((n, i) => expect(n, `${id}/${series[i]}`).toBeGreaterThan(0));
  }
  mkdirSync(shots, { recursive: true });
  const png = await page.screenshot({ path: join(shots, shotName), fullPage: true });
  // Non-blank: decode the screenshot in the browser and count its colours.
  const colours = await page.evaluate(async (b64: string) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4 * 7)
      seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
    return seen.size;
  }, png.toString('base64'));
  expect(colours).toBeGreaterThan(20);
  await more?.(page);
  await page.close();
}

describe('HTML reports in headless Chromium', () => {
  it('run report: latency over time, rate and errors, spectrum, target memory and CPU', async () => {
    const out = join(dir, 'run.json');
    const html = join(dir, 'run.html');
    const hlog = join(dir, 'run.hlog');
    const r = await runCli([
      '--target',
      'builtin',
      '--rate',
      '400',
      '--duration',
      '6s',
      '--warmup',
      '1s',
      '--builtin-stall-every',
      '3s',
      '--builtin-stall-for',
      '200ms',
      '--out',
      out,
      '--html',
      html,
      '--hist-log',
      hlog,
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    // The interval log reads back with HdrHistogram's own reader: every answer, second by second.
    const reader = new HistogramLogReader(readFileSync(hlog, 'utf8'));
    let total = 0;
    let intervals = 0;
    for (let h = reader.nextIntervalHistogram(); h; h = reader.nextIntervalHistogram()) {
      total += h.totalCount;
      intervals++;
    }
    expect(intervals).toBeGreaterThanOrEqual(6);
    expect(total).toBe(readResult(out).counters.ok);
    await check(
      html,
      {
        latency: ['p50', 'p99', 'max'],
        throughput: ['offered/s', 'answers/s', 'errors+timeouts/s'],
        spectrum: ['corrected (from intended send)', 'uncorrected (service time)'],
        target: ['memory MB', 'CPU %'],
      },
      'run.png',
      async (page) => {
        // The verdict card comes first; the heat map has shaded cells; no raw JSON anywhere.
        const card = (await page.locator('#verdict').innerText()).split('\n');
        // The stalls may read as a short leak: the card says whatever the result says.
        expect(card[0]).toMatch(/^(OK: the target kept up|.*fell behind|.*failed|memory grew)/);
        expect(card.join(' ')).toMatch(/req\/s achieved of 400 offered/);
        expect(await page.locator('#heatmap rect').count()).toBeGreaterThan(6);
        const text = await page.locator('body').innerText();
        expect(text).not.toMatch(/[{}]/);
        const first = await page.evaluate(() => document.body.children[1]?.id);
        expect(first).toBe('verdict');
      },
    );
  }, 60_000);

  it('gate report: baseline and candidate spectra overlaid, the rule table', async () => {
    const base = join(dir, 'base.json');
    await runCli([
      '--target',
      'builtin',
      '--rate',
      '300',
      '--duration',
      '2s',
      '--warmup',
      '500ms',
      '--out',
      base,
      '--quiet',
    ]);
    const cand = join(dir, 'cand.json');
    await runCli([
      '--target',
      'builtin',
      '--rate',
      '300',
      '--duration',
      '2s',
      '--warmup',
      '500ms',
      '--builtin-service-time',
      '3ms',
      '--out',
      cand,
      '--quiet',
    ]);
    const policy = join(dir, 'p.json');
    writeFileSync(
      policy,
      JSON.stringify({
        version: '2',
        rules: { latency_p50_ms: { relative: { max_pct_increase: 10 } } },
      }),
    );
    const html = join(dir, 'gate.html');
    const g = await runGateCli([
      '--baseline',
      base,
      '--policy',
      policy,
      '--candidate',
      cand,
      '--html',
      html,
      '--quiet',
    ]);
    expect(g.code).toBe(1);
    expect(readFileSync(html, 'utf8')).toContain('REGRESSION');
    await check(html, { spectrum: ['baseline', 'candidate'] }, 'gate.png');
  }, 60_000);

  it('capacity report: latency and achieved rate against offered, SLO line, breaking point', async () => {
    const steps = [250, 500, 1000, 2000, 1500, 1750, 1875].map((offered) => {
      const broken = offered >= 1875;
      return {
        offered_rps: offered,
        mean_ms: broken ? 350 : 2.5,
        concurrency: broken ? 630 : (offered * 2.5) / 1000,
        achieved_rps: broken ? 1800 : offered,
        p50_ms: broken ? 300 : 2,
        p90_ms: 4,
        p99_ms: broken ? 900 : 8,
        p999_ms: 12,
        max_ms: 20,
        error_rate: 0,
        errors_by_class: {},
        backpressure_total: 0,
        in_flight_max: 4,
        cpu_pct: 40,
        mem_mb: 70,
        generator_saturated: false,
        pass: !broken,
        reasons: broken ? ['latency: p99 900 ms > SLO 200 ms'] : [],
        seconds: 12,
      };
    });
    const report: SweepReport = {
      schema: 'capacity-sweep/v1',
      target: 'builtin',
      slo: { p99_ms: 200, max_error_rate: 0.001, min_achieved_ratio: 0.98 },
      max_sustainable_rps: 1750,
      at_least: false,
      breaking_point: { rps: 1875, achieved: 1800, reason: 'latency: p99 900 ms > SLO 200 ms' },
      stop_reason: 'bracketed to within 5%',
      steps,
      steps_count: steps.length,
      total_seconds: 84,
      model: {
        lambda: 100,
        sigma: 0.01,
        kappa: 0.0001,
        predicted_peak_rps: 1900,
        peak_concurrency: 99,
        r2: 0.97,
        points: 7,
      },
      env: null,
    };
    const html = join(dir, 'capacity.html');
    writeFileSync(html, capacityHtml(report));
    await check(
      html,
      {
        'capacity-latency': ['p50', 'p99', 'SLO p99', 'breaking point'],
        'capacity-rate': ['achieved', 'offered', 'USL predicted peak', 'breaking point'],
        'capacity-model': ['measured', 'USL fit'],
      },
      'capacity.png',
    );
  }, 60_000);

  it('a 10-minute run report stays under 2 MB', async () => {
    const r = readResult(join(dir, 'run.json'));
    const row = r.intervals[0]!;
    r.intervals = Array.from({ length: 600 }, (_, t) => ({
      ...row,
      t,
      p99_ms: row.p99_ms + (t % 7) * 0.123,
      mem_mb: 70 + t / 100,
      cpu_pct: 40,
    }));
    const html = runHtml(r);
    expect(Buffer.byteLength(html)).toBeLessThan(2 * 1024 * 1024);
  });
});
