import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { CompareRecord } from '../gate/compare.js';
import type { GateOutcome } from '../gate/evaluate.js';
import { compareLine } from './gate-reports.js';
import { decode, mergeEncoded } from '../record/histogram.js';
import { limitLine, type BenchResult } from '../result/result.js';
import { KIND_COLUMNS, kindRows } from './kind-table.js';
import type { SweepReport } from '../sweep/report.js';
import { uslModel } from '../sweep/usl.js';

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

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const esc = (s: unknown): string =>
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
  for (let i = 0; i <= 60; i++) {
    const q = 1 - 10 ** (-i / 12); // 0 .. 0.99999
    x.push(Math.round((1 / (1 - q)) * 1000) / 1000);
    y.push(Math.max(0.001, h.getValueAtPercentile(q * 100) / 1000));
  }
  return { x, y };
}

function table(rows: [string, unknown][]): string {
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
export function runHtml(r: BenchResult, perSecond: readonly (string | undefined)[] = []): string {
  const t = r.intervals.map((i) => i.t);
  const offered = r.intervals.some((i) => i.offered !== undefined);
  const corrected = spectrum(r.histograms.latency);
  const uncorrected = spectrum(r.histograms.service_time);
  const charts: ChartSpec[] = [
    {
      id: 'latency',
      title: 'Latency per second (from intended send time)',
      xLabel: 'seconds',
      yLabel: 'ms',
      data: [
        t,
        r.intervals.map((i) => i.p50_ms),
        r.intervals.map((i) => i.p99_ms),
        r.intervals.map((i) => i.max_ms),
      ],
      series: [
        { label: 'p50', color: COLORS[0]! },
        { label: 'p99', color: COLORS[1]! },
        { label: 'max', color: COLORS[4]! },
      ],
    },
    {
      id: 'throughput',
      title: offered
        ? 'Offered and achieved rate, errors per second'
        : 'Achieved rate and errors per second',
      xLabel: 'seconds',
      yLabel: 'req/s',
      data: [
        t,
        ...(offered ? [r.intervals.map((i) => i.offered ?? 0)] : []),
        r.intervals.map((i) => i.rps),
        r.intervals.map((i) => i.errors + i.timeouts),
      ],
      series: [
        ...(offered ? [{ label: 'offered/s', color: COLORS[3]!, dash: true }] : []),
        { label: 'answers/s', color: COLORS[2]! },
        { label: 'errors+timeouts/s', color: COLORS[1]! },
      ],
    },
    {
      id: 'spectrum',
      title: 'Percentile spectrum',
      xLabel: '1/(1-percentile)',
      yLabel: 'ms',
      logX: true,
      logY: true,
      data: [corrected.x, corrected.y, uncorrected.y],
      series: [
        { label: 'corrected (from intended send)', color: COLORS[1]! },
        { label: 'uncorrected (service time)', color: COLORS[0]!, dash: true },
      ],
    },
  ];
  if (r.intervals.some((i) => i.mem_mb !== undefined)) {
    charts.push({
      id: 'target',
      title: 'Target memory and CPU',
      xLabel: 'seconds',
      yLabel: 'MB / % of a core',
      data: [
        t,
        r.intervals.map((i) => i.mem_mb ?? null),
        r.intervals.map((i) => i.cpu_pct ?? null),
      ],
      series: [
        { label: 'memory MB', color: COLORS[3]! },
        { label: 'CPU %', color: COLORS[4]! },
      ],
    });
  }
  const m = r.metrics;
  const sections = [
    verdictCard(r),
    heatmap(r, perSecond),
    `<h2>Summary</h2>${table([
      ['target', r.target.url],
      [
        'run',
        `${r.run.started_at}, ${r.run.duration_s}s after ${r.run.warmup_s}s warm-up${r.run.interrupted ? ' (interrupted)' : ''}`,
      ],
      [
        'rate',
        `${m.rps} req/s achieved${m.target_rps !== null ? ` of ${m.target_rps} offered${Array.isArray(r.scenario.stages) ? ' on average over the stages' : ''}` : ''}`,
      ],
      [
        'latency ms',
        `p50 ${m.latency_p50_ms}, p90 ${m.latency_p90_ms}, p99 ${m.latency_p99_ms}, p99.9 ${m.latency_p999_ms}, max ${m.latency_max_ms}`,
      ],
      [
        'errors',
        `${m.errors_total} (${(m.error_rate * 100).toFixed(3)}%)${byKind(r.errors_by_class)}`,
      ],
      ['backpressure', `${m.backpressure_total}${byKind(r.backpressure_by_kind)}`],
      [
        'target',
        m.mem_mb !== undefined
          ? `mem ${m.mem_mb} MB peak, growth ${m.mem_growth_mb_per_min} MB/min, cpu ${m.cpu_pct}%`
          : '-',
      ],
    ])}`,
    `<h2>Environment and generator</h2>${table([
      ['cpu', `${r.env.cpu_model} (${r.env.cpu_cores} cores)`],
      ['os', `${r.env.os}, kernel ${r.env.kernel}, node ${r.env.node}`],
      ['git', `${r.git.commit ?? '-'} ${r.git.branch ?? ''}${r.git.dirty ? ' (dirty)' : ''}`],
      [
        'generator',
        `${r.generator.saturated ? 'SATURATED' : 'ok'}: send lag p99 ${r.generator.send_lag_p99_ms} ms, loop delay p99 ${r.generator.event_loop_delay_p99_ms} ms, cpu ${r.generator.cpu_pct}%, rss ${r.generator.rss_mb} MB`,
      ],
      ...r.generator.reasons.map((x): [string, unknown] => ['', x]),
      ...[limitLine(r.generator)]
        .filter((x): x is string => x !== undefined)
        .map((x): [string, unknown] => ['limit', x]),
    ])}`,
    kindsSection(r),
    agentsSection(r),
  ].join('\n');
  return page(`bench-router: ${r.scenario.name ?? r.target.url}`, sections, charts);
}

/** `by class: timeout 3, http_5xx 2` — nothing when the map is empty. */
function byKind(map: Record<string, number>): string {
  const parts = Object.entries(map)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`);
  return parts.length ? `: ${parts.join(', ')}` : '';
}

/**
 * The headline, before any table: can this run be trusted, did the target keep up, how
 * fast, how many failed, did memory grow. Green only when all of it is good.
 */
function verdictCard(r: BenchResult): string {
  const m = r.metrics;
  const offered = m.target_rps;
  const kept = offered === null || m.rps >= offered * 0.99;
  const valid = !r.generator.saturated && !r.run.partial && !r.run.interrupted;
  const leak = r.memory_trend?.leak_suspected === true;
  const good = valid && kept && m.errors_total === 0 && !leak;
  const item = (label: string, value: string, ok: boolean): string =>
    `<div class="kpi ${ok ? 'pass' : 'fail'}"><div class="v">${esc(value)}</div><div class="l">${esc(label)}</div></div>`;
  const headline = !valid
    ? r.run.interrupted
      ? 'INTERRUPTED: partial result'
      : `NOT VALID: ${r.generator.saturated ? 'the load generator saturated' : 'generator agents were lost'}`
    : good
      ? 'OK: the target kept up, without errors'
      : `${!kept ? 'the target fell behind the offered rate' : ''}${!kept && m.errors_total ? '; ' : ''}${m.errors_total ? `${m.errors_total} requests failed` : ''}${leak ? `${!kept || m.errors_total ? '; ' : ''}memory grew (leak suspected)` : ''}`;
  return `<div class="card ${good ? 'good' : 'bad'}" id="verdict"><div class="headline">${esc(headline)}</div><div class="kpis">${[
    item(
      offered !== null
        ? `req/s achieved of ${offered} offered`
        : r.run.mode === 'consume'
          ? 'msg/s consumed'
          : 'req/s achieved (closed loop)',
      String(m.rps),
      kept,
    ),
    item('p50 ms', String(m.latency_p50_ms), true),
    item('p99 ms', String(m.latency_p99_ms), true),
    item('p99.9 ms', String(m.latency_p999_ms), true),
    item('errors', `${m.errors_total} (${(m.error_rate * 100).toFixed(2)}%)`, m.errors_total === 0),
    item('generator', r.generator.saturated ? 'saturated' : 'kept up', !r.generator.saturated),
    item(
      'memory',
      r.memory_trend
        ? leak
          ? 'leak suspected'
          : 'flat'
        : m.mem_mb !== undefined
          ? `${m.mem_mb} MB`
          : 'not probed',
      !leak,
    ),
  ].join('')}</div></div>`;
}

/**
 * Latency over time as a heat map (SVG, no script): columns are seconds (merged into at most
 * 120 columns), rows are log-spaced latency bands from the per-second HDR histograms, the
 * shade is the share of that column's answers in the band.
 */
function heatmap(r: BenchResult, perSecond: readonly (string | undefined)[]): string {
  const n = r.intervals.length;
  const answered = r.intervals.filter((i) => i.ok > 0);
  if (answered.length < 2 || !perSecond.some(Boolean)) return '';
  const minMs = Math.max(0.005, Math.min(...answered.map((i) => i.p50_ms)) / 2);
  const maxMs = Math.max(...answered.map((i) => i.max_ms), minMs * 2);
  const rows = 24;
  const band = (ms: number): number =>
    Math.max(
      0,
      Math.min(rows - 1, Math.floor((Math.log(ms / minMs) / Math.log(maxMs / minMs)) * rows)),
    );
  const per = Math.ceil(n / Math.min(120, n));
  const cols = Math.ceil(n / per);
  // Columns fill about 960 px whatever the run's length (at least 8 px each).
  const W = Math.max(8, Math.floor(960 / cols));
  const H = 10;
  const cells: string[] = [];
  for (let c = 0; c < cols; c++) {
    const parts = perSecond.slice(c * per, (c + 1) * per).filter((x): x is string => !!x);
    if (!parts.length) continue;
    const h = decode(mergeEncoded(parts));
    if (!h.totalCount) continue;
    // Each 1% of the column's answers goes to the band its latency falls in.
    const counts = Array<number>(rows).fill(0);
    for (let q = 0.5; q < 100; q++) counts[band(h.getValueAtPercentile(q) / 1000)]!++;
    for (let k = 0; k < rows; k++) {
      if (!counts[k]) continue;
      const lo = minMs * (maxMs / minMs) ** (k / rows);
      const hi = minMs * (maxMs / minMs) ** ((k + 1) / rows);
      cells.push(
        `<rect x="${c * W}" y="${(rows - 1 - k) * H}" width="${W}" height="${H}" fill="#d62728" fill-opacity="${Math.min(1, 0.12 + (2.5 * counts[k]!) / 100).toFixed(2)}"><title>${esc(`${c * per}-${Math.min(n, (c + 1) * per)} s, ${lo.toFixed(2)}-${hi.toFixed(2)} ms: ${counts[k]}%`)}</title></rect>`,
      );
    }
  }
  const width = cols * W;
  return `<h2>Latency heat map</h2><p>Columns: ${per} s each; rows: latency bands on a log scale from ${minMs.toFixed(2)} to ${maxMs.toFixed(2)} ms (from intended send time, per-second HDR histograms); darker: more of that time's answers (hover for the share).</p><svg id="heatmap" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${rows * H}" viewBox="0 0 ${width} ${rows * H}" style="border:1px solid #ccc">${cells.join('')}</svg>`;
}

/** A fleet run's per-agent rows; a lost agent's row says when and why. */
/** A mix's kinds side by side, so one slow or failing kind stands out. */
function kindsSection(r: BenchResult): string {
  const rows = kindRows(r);
  if (!rows) return '';
  const body = rows
    .map((row) => {
      const failing = (r.by_kind?.[row[0]!]?.errors_total ?? 0) > 0;
      return `<tr class="${failing ? 'fail' : ''}">${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
    })
    .join('');
  return `<h2>By request kind</h2><table class="kinds"><tr>${KIND_COLUMNS.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>${body}</table>`;
}

function agentsSection(r: BenchResult): string {
  if (!r.agents?.length) return '';
  const cells = (xs: unknown[]): string => xs.map((x) => `<td>${esc(x ?? '-')}</td>`).join('');
  const rows = r.agents
    .map(
      (a) =>
        `<tr>${cells([a.name, a.host])}<td class="${a.state === 'done' ? 'pass' : 'fail'}">${esc(a.state.toUpperCase())}</td>${cells(
          [
            a.requests,
            a.rps,
            a.latency_p99_ms,
            a.generator?.send_lag_p99_ms,
            a.clock_offset_ms,
            a.clock_rtt_ms,
            a.state === 'done' ? '' : `lost at ${a.lost_at_s ?? '-'} s: ${a.reason ?? ''}`,
          ],
        )}</tr>`,
    )
    .join('');
  return `<h2>Agents${r.run.partial ? ' (PARTIAL: agents were lost)' : ''}</h2><table><tr><th>agent</th><th>host</th><th>state</th><th>requests</th><th>req/s</th><th>p99 ms</th><th>send lag p99 ms</th><th>clock offset ms</th><th>clock rtt ms</th><th>note</th></tr>${rows}</table>`;
}

export function gateHtml(
  o: GateOutcome,
  baseline: { path: string; latency?: string },
  candidate: { path: string; latency?: string },
  compare?: CompareRecord,
): string {
  const charts: ChartSpec[] = compare ? narrowingCharts(o, compare) : [];
  if (baseline.latency && candidate.latency) {
    const b = spectrum(baseline.latency);
    const c = spectrum(candidate.latency);
    charts.push({
      id: 'spectrum',
      title: 'Percentile spectrum: baseline vs candidate',
      xLabel: '1/(1-percentile)',
      yLabel: 'ms',
      logX: true,
      logY: true,
      data: [b.x, b.y, c.y],
      series: [
        { label: 'baseline', color: COLORS[0]! },
        { label: 'candidate', color: COLORS[1]! },
      ],
    });
  }
  const rows = o.rules
    .map(
      (r) =>
        `<tr><td>${esc(r.metric)}</td><td>${esc(r.id)}</td><td>${esc(r.baseline ?? '-')}</td><td>${esc(r.candidate ?? '-')}</td><td>${esc(r.change_pct ?? '-')}</td><td class="${esc(r.status)}">${esc(r.status.toUpperCase())}</td><td>${esc(r.why)}</td></tr>`,
    )
    .join('');
  const sections = `<p>Verdict: <span class="${o.verdict === 'pass' ? 'pass' : 'fail'}">${esc(o.verdict.toUpperCase())}</span> (exit ${o.exitCode}). Baseline <code>${esc(baseline.path)}</code>, candidate <code>${esc(candidate.path)}</code>.</p>
<ul>${o.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>
<h2>Rules</h2><table><tr><th>metric</th><th>rule</th><th>baseline</th><th>candidate</th><th>change %</th><th>verdict</th><th>why</th></tr>${rows}</table>${
    compare
      ? `<h2>Rounds</h2><p>${esc(compareLine(compare))}</p>${
          compare.discarded.length
            ? `<ul>${compare.discarded.map((d) => `<li>pair ${d.pair} set aside: ${esc(d.why)}</li>`).join('')}</ul>`
            : ''
        }<p>Each chart: every pair's own change (dots) and the rule's interval after that pair (it only narrows); the rule is decided once the interval is wholly on one side of the tolerance.</p>`
      : ''
  }`;
  return page(compare ? 'perf-gate compare' : 'perf-gate', sections, charts);
}

/** Per relative rule: each pair's change, the interval narrowing, the tolerance. */
function narrowingCharts(o: GateOutcome, c: CompareRecord): ChartSpec[] {
  const finite = (x: number | null): number | null => (x !== null && Number.isFinite(x) ? x : null);
  return [...new Set(c.steps.map((s) => s.rule))].map((rule, k) => {
    const steps = c.steps.filter((s) => s.rule === rule);
    const r = o.rules.find((x) => x.id === rule);
    const tol = r ? (r.kind === 'max_pct_decrease' ? -r.limit : r.limit) : null;
    return {
      id: `narrowing-${k}`,
      title: `${rule}: relative change candidate vs baseline`,
      xLabel: 'pair',
      yLabel: '%',
      data: [
        steps.map((s) => s.pair),
        steps.map((s) => finite(s.change_pct)),
        steps.map((s) => finite(s.low_pct)),
        steps.map((s) => finite(s.high_pct)),
        steps.map(() => tol),
      ],
      series: [
        { label: 'this pair', color: COLORS[0]!, points: true },
        { label: 'interval low', color: COLORS[2]! },
        { label: 'interval high', color: COLORS[1]! },
        { label: 'tolerance', color: COLORS[4]!, dash: true },
      ],
    };
  });
}

export function capacityHtml(r: SweepReport): string {
  const steps = [...r.steps].sort((a, b) => a.offered_rps - b.offered_rps);
  const x = steps.map((s) => s.offered_rps);
  const bp = r.breaking_point;
  const charts: ChartSpec[] = [
    {
      id: 'capacity-latency',
      title: 'Latency against offered rate',
      xLabel: 'offered req/s',
      yLabel: 'ms',
      logY: true,
      data: [
        x,
        steps.map((s) => Math.max(0.001, s.p50_ms)),
        steps.map((s) => Math.max(0.001, s.p99_ms)),
        steps.map(() => r.slo.p99_ms),
        steps.map((s) => (bp && s.offered_rps === bp.rps ? Math.max(0.001, s.p99_ms) : null)),
      ],
      series: [
        { label: 'p50', color: COLORS[0]! },
        { label: 'p99', color: COLORS[1]! },
        { label: 'SLO p99', color: '#888', dash: true },
        { label: 'breaking point', color: '#000', points: true },
      ],
    },
    {
      id: 'capacity-rate',
      title: 'Achieved against offered rate',
      xLabel: 'offered req/s',
      yLabel: 'req/s',
      data: [
        x,
        steps.map((s) => s.achieved_rps),
        x,
        steps.map(() => r.model?.predicted_peak_rps ?? null),
        steps.map((s) => (bp && s.offered_rps === bp.rps ? s.achieved_rps : null)),
      ],
      series: [
        { label: 'achieved', color: COLORS[2]! },
        { label: 'offered', color: '#888', dash: true },
        { label: 'USL predicted peak', color: COLORS[3]!, dash: true },
        { label: 'breaking point', color: '#000', points: true },
      ],
    },
  ];
  if (r.model) {
    // The USL is throughput against concurrency: the measured steps and the fitted curve.
    const fit = uslModel([r.model.lambda, r.model.sigma, r.model.kappa]);
    const byN = [...r.steps]
      .filter((s) => s.concurrency > 0)
      .sort((a, b) => a.concurrency - b.concurrency);
    const maxN = Math.max(r.model.peak_concurrency ?? 0, ...byN.map((s) => s.concurrency)) * 1.2;
    const grid = Array.from({ length: 40 }, (_, k) => (maxN * (k + 1)) / 40);
    const xs = [...new Set([...grid, ...byN.map((s) => s.concurrency)])].sort((a, b) => a - b);
    const measured = new Map(byN.map((s) => [s.concurrency, s.achieved_rps]));
    charts.push({
      id: 'capacity-model',
      title: "Scalability model (USL) against concurrency (Little's law)",
      xLabel: 'concurrency',
      yLabel: 'req/s',
      data: [xs, xs.map((n) => measured.get(n) ?? null), xs.map((n) => Math.round(fit(n)))],
      series: [
        { label: 'measured', color: COLORS[2]!, points: true },
        { label: 'USL fit', color: COLORS[3]! },
      ],
    });
  }
  const sections = `${table([
    [
      'max sustainable rate',
      r.max_sustainable_rps === null
        ? 'none'
        : `${r.at_least ? 'at least ' : ''}${r.max_sustainable_rps} req/s`,
    ],
    [
      'breaking point',
      bp ? `${bp.rps} req/s offered, ${bp.achieved} achieved: ${bp.reason}` : 'not reached',
    ],
    ['SLO', `p99 <= ${r.slo.p99_ms} ms, error rate <= ${(r.slo.max_error_rate * 100).toFixed(2)}%`],
    ['search', `${r.steps_count} steps in ${r.total_seconds}s (${r.stop_reason})`],
    [
      'model (USL)',
      r.model
        ? `sigma ${r.model.sigma}, kappa ${r.model.kappa}, predicted peak ${r.model.predicted_peak_rps ?? '-'} req/s, R² ${r.model.r2}`
        : '-',
    ],
  ])}`;
  return page(`capacity-sweep: ${r.target}`, sections, charts);
}
