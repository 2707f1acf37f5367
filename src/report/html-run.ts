import { decode, mergeEncoded, percentilesUs } from '../record/histogram.js';
import { limitLine, type BenchResult } from '../result/result.js';
import { generatorHealthText } from './generator-text.js';
import { KIND_COLUMNS, kindRows } from './kind-table.js';
import { COLORS, esc, page, spectrum, table, type ChartSpec } from './html-page.js';

/** The run report: verdict card, summary, latency over time and spectrum, heat map, kinds, agents. */
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
        `${r.generator.saturated ? 'SATURATED' : 'ok'}: ${generatorHealthText(r)}, rss ${r.generator.rss_mb} MB`,
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
/** 0.5%, 1.5% ... 99.5%: each 1% of a column's answers, by its middle. */
const PERCENT_STEPS = Array.from({ length: 100 }, (_, i) => i + 0.5);

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
    for (const us of percentilesUs(h, PERCENT_STEPS)) counts[band(us / 1000)]!++;
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
