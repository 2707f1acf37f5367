import type { ServiceStats } from './service-model.js';

/** Request counts by outcome and the process gauges a Prometheus probe expects. */
export class RouterCounters {
  readonly byResult = new Map<string, number>();
  count(result: string): void {
    this.byResult.set(result, (this.byResult.get(result) ?? 0) + 1);
  }
}

export function prometheusText(c: RouterCounters, s: ServiceStats): string {
  const cpu = process.cpuUsage();
  const lines = [
    '# HELP router_requests_total Decide requests by result.',
    '# TYPE router_requests_total counter',
    ...[...c.byResult].map(([k, v]) => `router_requests_total{result="${k}"} ${v}`),
    '# HELP router_in_service Requests being served by a worker now.',
    '# TYPE router_in_service gauge',
    `router_in_service ${s.inService}`,
    '# HELP router_queue_depth Requests waiting for a worker now.',
    '# TYPE router_queue_depth gauge',
    `router_queue_depth ${s.queued}`,
    '# HELP router_retained_bytes Bytes kept by the memory-growth knob (a simulated leak).',
    '# TYPE router_retained_bytes gauge',
    `router_retained_bytes ${s.retainedBytes}`,
    '# HELP process_resident_memory_bytes Resident memory size in bytes.',
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
    '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
    '# TYPE process_cpu_seconds_total counter',
    `process_cpu_seconds_total ${(cpu.user + cpu.system) / 1e6}`,
  ];
  return lines.join('\n') + '\n';
}
