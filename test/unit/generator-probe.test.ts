import { describe, expect, it } from 'vitest';
import { GeneratorProbe, type ProbeSources } from '../../src/probes/generator-probe.js';

/** A process whose CPU, clock and event-loop figures the test moves by hand. */
function fakeProcess(): ProbeSources & {
  at(ms: number, cpuMs: number, activeMs: number, sleptMs?: number, queuedMs?: number): void;
} {
  let now = 0;
  let cpuMs = 0;
  let active = 0;
  let slept = 0;
  let queued = 0;
  return {
    at(ms, cpu, act, sl = slept, q = queued) {
      now = ms;
      cpuMs = cpu;
      active = act;
      slept = sl;
      queued = q;
    },
    runQueueNs: () => queued * 1e6,
    cpuUsage: () => ({ user: cpuMs * 700, system: cpuMs * 300 }),
    now: () => now,
    utilization: () => ({ active, idle: now - active, utilization: 0 }),
    sleptMs: () => slept,
    rss: () => 64 * 1024 * 1024,
  };
}

describe('GeneratorProbe', () => {
  it('counts CPU and loop utilisation over the measured window, not the warm-up', () => {
    const p = fakeProcess();
    const probe = new GeneratorProbe(p);
    probe.start();
    // Warm-up: 1 s that burnt 600 ms of CPU (compiling, connecting), loop busy 500 ms.
    p.at(1000, 600, 500);
    probe.measuring();
    // Measured: 4 s that cost 400 ms more, loop busy 200 ms more.
    p.at(5000, 1000, 700);
    const h = probe.stop();
    expect(h.cpu_pct).toBe(10);
    expect(h.event_loop_utilization).toBe(0.05);
    expect(h.rss_mb).toBe(64);
  });

  it('covers the whole run when the measurement never began', () => {
    const p = fakeProcess();
    const probe = new GeneratorProbe(p);
    probe.start();
    p.at(2000, 500, 1000);
    expect(probe.stop().cpu_pct).toBe(25);
  });

  it('leaves time slept through gaps out of the loop utilisation', () => {
    const p = fakeProcess();
    const probe = new GeneratorProbe(p);
    probe.start();
    probe.measuring();
    // The loop looked busy 600 ms of 2 s, 400 ms of which it slept in Atomics.wait.
    p.at(2000, 100, 600, 400);
    expect(probe.stop().event_loop_utilization).toBe(0.1);
  });

  it('counts the time the thread waited for a core over the measured window only', () => {
    const p = fakeProcess();
    const probe = new GeneratorProbe(p);
    probe.start();
    // Warm-up: 1 s, 300 ms of it waiting for a core.
    p.at(1000, 200, 200, 0, 300);
    probe.measuring();
    // Measured: 4 s, 1 s more of waiting (a quarter), though the loop looked idle.
    p.at(5000, 600, 400, 0, 1300);
    const h = probe.stop();
    expect(h.cpu_wait_pct).toBe(25);
    expect(h.event_loop_utilization).toBe(0.05);
  });

  it('leaves the wait out where the system does not say it', () => {
    const probe = new GeneratorProbe({ ...fakeProcess(), runQueueNs: () => undefined });
    probe.start();
    expect(probe.stop()).not.toHaveProperty('cpu_wait_pct');
  });
});
