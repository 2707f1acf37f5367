import type { SweepReport } from '../sweep/report.js';
import { uslModel } from '../sweep/usl.js';
import { COLORS, page, table, type ChartSpec } from './html-page.js';

/** The capacity report: latency and achieved rate against offered, SLO line, breaking point. */
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
