import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ToolError } from '../errors.js';
import type { LiveStats } from '../driver/shard.js';
import { LIVE_BUCKETS_S, emptyMeasured } from '../record/live-latency.js';

/**
 * `--metrics-listen HOST:PORT`: the run as Prometheus text at /metrics while it goes on, so
 * a load test can be watched beside the target's own dashboards. Counters cover the measured
 * window (warm-up excluded), so at the end they equal the result's counts; rates (offered,
 * achieved) are Prometheus's `rate()` of the counters, as the conventions want.
 *
 * The exposition is written here rather than through prom-client: the numbers come from
 * worker threads as additive snapshots (counts and fixed latency buckets), and prom-client's
 * histogram only takes single observations. The text is checked with promtool in the tests.
 */
export interface LiveSource {
  /** Labels beside run and scenario (capacity-sweep: the step). */
  labels: Record<string, string>;
  /** The run's live totals, or undefined before the first shard starts. */
  stats(): LiveStats | undefined;
  /** The rate the schedule asks for now (stages: the profile's rate now). */
  targetRate(): number | undefined;
}

export interface LiveMetricsServer {
  url: string;
  setSource(s: LiveSource): void;
  close(): Promise<void>;
}

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(text.trim());
  const port = Number(m?.[2]);
  if (!m || !(port >= 0 && port < 65536))
    throw new ToolError('E_USAGE', `--metrics-listen "${text}": expected HOST:PORT`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

export async function startLiveMetrics(
  listen: string,
  run: string,
  scenario: string,
): Promise<LiveMetricsServer> {
  const { host, port } = parseListen(listen);
  let source: LiveSource | undefined;
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      res.setHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8');
      res.end(exposition(source, run, scenario));
      return;
    }
    res.statusCode = 404;
    res.end('see /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(new ToolError('E_USAGE', `--metrics-listen ${listen}: ${e.message}`)),
    );
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}/metrics`,
    setSource: (s) => (source = s),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const esc = (v: string): string =>
  v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Prometheus text format 0.0.4, lint-clean (HELP on every family, base units). */
export function exposition(source: LiveSource | undefined, run: string, scenario: string): string {
  const s = source?.stats();
  const m = s?.measured ?? emptyMeasured();
  const extra = Object.entries(source?.labels ?? {})
    .map(([k, v]) => `,${k}="${esc(v)}"`)
    .join('');
  const L = `run="${esc(run)}",scenario="${esc(scenario)}"${extra}`;
  const lines: string[] = [];
  const family = (name: string, type: string, help: string): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  family(
    'bench_requests_total',
    'counter',
    'Requests completed in the measured window, by outcome.',
  );
  lines.push(
    `bench_requests_total{${L},outcome="ok"} ${m.ok}`,
    `bench_requests_total{${L},outcome="error"} ${m.errors}`,
    `bench_requests_total{${L},outcome="timeout"} ${m.timeouts}`,
  );
  family(
    'bench_scheduled_total',
    'counter',
    'Requests the schedule offered (intended send time reached); rate() is the offered rate.',
  );
  lines.push(`bench_scheduled_total{${L}} ${m.scheduled}`);
  family('bench_sent_total', 'counter', 'Requests sent.');
  lines.push(`bench_sent_total{${L}} ${m.sent}`);
  family(
    'bench_backpressure_total',
    'counter',
    'Requests that met backpressure (client bound, busy connections, overload answers).',
  );
  lines.push(`bench_backpressure_total{${L}} ${m.backpressure}`);
  family(
    'bench_request_duration_seconds',
    'histogram',
    'Latency of answered requests from their intended send time (coordinated-omission correct).',
  );
  let cum = 0;
  LIVE_BUCKETS_S.forEach((le, i) => {
    cum += m.buckets[i] ?? 0;
    lines.push(`bench_request_duration_seconds_bucket{${L},le="${le}"} ${cum}`);
  });
  cum += m.buckets[LIVE_BUCKETS_S.length] ?? 0;
  lines.push(
    `bench_request_duration_seconds_bucket{${L},le="+Inf"} ${cum}`,
    `bench_request_duration_seconds_sum{${L}} ${m.latencySumS}`,
    `bench_request_duration_seconds_count{${L}} ${cum}`,
  );
  family('bench_in_flight_requests', 'gauge', 'Requests sent and not yet answered.');
  lines.push(`bench_in_flight_requests{${L}} ${s?.inFlight ?? 0}`);
  const target = source?.targetRate();
  if (target !== undefined) {
    family('bench_target_rate_requests_per_second', 'gauge', 'The rate the schedule asks for now.');
    lines.push(`bench_target_rate_requests_per_second{${L}} ${target}`);
  }
  const cpu = process.cpuUsage();
  family(
    'bench_generator_cpu_seconds_total',
    'counter',
    "The generator process's CPU time (user and system).",
  );
  lines.push(`bench_generator_cpu_seconds_total{${L}} ${(cpu.user + cpu.system) / 1e6}`);
  return `${lines.join('\n')}\n`;
}
