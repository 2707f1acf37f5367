import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { decode, percentilesUs } from '../record/histogram.js';

/**
 * Self-contained HTML reports: uPlot (about 50 kB, canvas, fast with thousands of points)
 * and its CSS inlined, the data inlined as JSON, no network. Each chart registers itself in
 * `window.__charts` (id, series labels, point counts) so a browser test can check it.
 */
const require = createRequire(import.meta.url);
const asset = (p: string): string => readFileSync(require.resolve(`uplot/dist/${p}`), 'utf8');

export interface ChartSpec {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
  /** Column 0 is x; the others are series (null = no point). */
  data: (number | null)[][];
  series: { label: string; color: string; points?: boolean; dash?: boolean }[];
}

export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
export const esc = (s: unknown): string =>
  String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

/** x = 1 / (1 - percentile), log-spaced from the median to 99.999%, values in ms. */
export function spectrum(encoded: string): { x: number[]; y: number[] } {
  const h = decode(encoded);
  const x: number[] = [];
  const y: number[] = [];
  if (h.totalCount === 0) return { x, y };
  const qs: number[] = [];
  for (let i = 0; i <= 60; i++) {
    const q = 1 - 10 ** (-i / 12); // 0 .. 0.99999
    qs.push(q * 100);
    x.push(Math.round((1 / (1 - q)) * 1000) / 1000);
  }
  for (const us of percentilesUs(h, qs)) y.push(Math.max(0.001, us / 1000));
  return { x, y };
}

export function table(rows: [string, unknown][]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

export function page(title: string, sections: string, charts: ChartSpec[]): string {
  const script = `
const charts = JSON.parse(document.getElementById('chart-data').textContent);
window.__charts = [];
for (const c of charts) {
  const el = document.getElementById(c.id);
  const opts = {
    title: c.title, width: Math.min(1000, window.innerWidth - 40), height: 320,
    scales: { x: { time: false, ...(c.logX ? { distr: 3, log: 10 } : {}) }, y: c.logY ? { distr: 3, log: 10 } : {} },
    axes: [{ label: c.xLabel }, { label: c.yLabel }],
    series: [{ label: c.xLabel }, ...c.series.map((s) => ({
      label: s.label, stroke: s.color, width: 2, spanGaps: false,
      ...(s.dash ? { dash: [6, 4] } : {}),
      ...(s.points ? { paths: () => null, points: { show: true, size: 10, fill: s.color } } : { points: { show: false } }),
    }))],
  };
  new uPlot(opts, c.data, el);
  window.__charts.push({ id: c.id, series: c.series.map((s) => s.label), points: c.data.slice(1).map((col) => col.filter((v) => v !== null).length) });
}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${asset('uPlot.min.css')}
body{font:14px system-ui,sans-serif;margin:20px;color:#222;background:#fff}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}.fail{color:#b00;font-weight:bold}.pass{color:#070}.warn,.inconclusive{color:#a60}
.chart{margin:12px 0}
.card{border:2px solid #070;border-radius:6px;padding:10px 14px;margin:12px 0}.card.bad{border-color:#b00}
.headline{font-size:18px;font-weight:bold;margin-bottom:8px}.kpis{display:flex;flex-wrap:wrap;gap:18px}
.kpi .v{font-size:20px}.kpi .l{font-size:12px;color:#555}</style></head><body>
<h1>${esc(title)}</h1>
${sections}
${charts.map((c) => `<div class="chart" id="${esc(c.id)}"></div>`).join('\n')}
<script id="chart-data" type="application/json">${JSON.stringify(charts).replace(/</g, '\\u003c')}</script>
<script>${asset('uPlot.iife.min.js')}</script>
<script>${script}</script>
</body></html>
`;
}

/**
 * `perSecond[t]`: second t's latency histogram (compressed HDR, from the recorder); the
 * result keeps only each second's percentiles, the heat map wants the whole distribution.
 */
