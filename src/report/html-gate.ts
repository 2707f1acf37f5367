import type { CompareRecord } from '../gate/compare.js';
import type { GateOutcome } from '../gate/evaluate.js';
import { compareLine } from './gate-reports.js';
import { COLORS, esc, page, spectrum, type ChartSpec } from './html-page.js';

/** The gate report: rules and verdict, baseline against candidate, compare's narrowing. */
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
