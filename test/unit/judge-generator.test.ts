import { describe, expect, it } from 'vitest';
import { judgeGenerator, type BuildInput } from '../../src/result/build.js';
import { Recorder } from '../../src/record/recorder.js';
import { generatorCpuText, sendLagText } from '../../src/report/generator-text.js';
import { encode, newHistogram, recordUs } from '../../src/record/histogram.js';

/** The inputs the generator's verdict reads: a run that kept its 100 req/s schedule. */
function input(warmupNotSent: number, interrupted: boolean): BuildInput {
  const r = new Recorder(1000, 2000);
  r.warmup.scheduled = 100;
  r.warmup.sent = 100 - warmupNotSent;
  r.warmup.not_sent = warmupNotSent;
  return {
    mode: 'open',
    targetRps: 100,
    interrupted,
    snapshot: r.snapshot(),
    health: [],
    threads: 1,
    maxSendLagMs: 10,
    connections: 32,
    maxInFlight: 1000,
  } as unknown as BuildInput;
}

const metrics = { rps: 100, errors_total: 0, timeouts_total: 0 };

describe("the generator's verdict on warm-up requests never sent", () => {
  it('says how many were dropped when the measurement began', () => {
    const g = judgeGenerator(input(40, false), 1, 1, metrics);
    expect(g.limit).toBe('none');
    expect(g.limit_reason).toBe(
      '40 warm-up requests were still unsent when the measurement began and were dropped, so it measured its own requests',
    );
  });

  it('does not say so of an interrupted run, whose warm-up was cut by the interrupt', () => {
    // Interrupted in its warm-up: the only thing to say is that nothing was measured.
    expect(judgeGenerator(input(40, true), 1, 1, metrics).limit_reason).toBe(
      'interrupted during warm-up: nothing was measured',
    );
  });

  it('says nothing when every warm-up request went out', () => {
    expect(judgeGenerator(input(0, false), 1, 1, metrics).limit_reason).toBeUndefined();
  });
});

describe("the generator's verdict on a run interrupted before it measured", () => {
  it('blames no one, and says nothing was measured', () => {
    // Interrupted 1.5 s into a 3 s warm-up: nothing scheduled in the measured window.
    const g = judgeGenerator(input(0, true), 0, 0, { ...metrics, rps: 0 });
    expect(g.limit).toBe('none');
    expect(g.limit_reason).toBe('interrupted during warm-up: nothing was measured');
  });

  it('still judges the target of an interrupted run that measured', () => {
    const i = input(0, true);
    i.snapshot.counters.scheduled = 50;
    i.snapshot.counters.sent = 50;
    const g = judgeGenerator(i, 0, 0, { ...metrics, rps: 20 });
    expect(g.limit).toBe('target');
  });
});

describe("the generator's verdict when it waited for a core", () => {
  /** 100 slots, `waited` of them held for a busy connection; thread waits as given. */
  function starved(waited: number, waits: (number | undefined)[]): BuildInput {
    const i = input(0, false);
    i.snapshot.counters.scheduled = 100;
    i.snapshot.counters.sent = 100;
    i.snapshot.backpressure_by_kind = waited ? { connections_busy: waited } : {};
    i.health = waits.map((w) => ({
      event_loop_delay_p99_ms: 1,
      cpu_pct: 30,
      rss_mb: 60,
      event_loop_utilization: 0.4,
      ...(w === undefined ? {} : { cpu_wait_pct: w }),
    }));
    return i;
  }

  it('says the machine was short of CPU beside the limit, taking the most-starved thread', () => {
    const g = judgeGenerator(starved(30, [5, 45]), 1, 1, metrics);
    expect(g.saturated).toBe(false);
    expect(g.limit).toBe('connections');
    expect(g.cpu_wait_pct).toBe(45);
    expect(g.limit_reason).toMatch(
      /connections were busy: 30 requests waited for one \(the wait is in their latency\); a generator thread also waited for a core 45% of the time: this machine was short of CPU .*more connections do not mend/,
    );
    // One line does not advise more connections and then say they do not mend it.
    expect(g.limit_reason).not.toMatch(/raise --connections/);
    expect(judgeGenerator(starved(30, [10]), 1, 1, metrics).limit_reason).toMatch(
      /raise --connections$/,
    );
  });

  it('says nothing of a wait while the schedule was kept, or of a small one', () => {
    const kept = judgeGenerator(starved(0, [45]), 1, 1, metrics);
    expect(kept.cpu_wait_pct).toBe(45);
    expect(kept.limit_reason).toBeUndefined();
    expect(judgeGenerator(starved(30, [10]), 1, 1, metrics).limit_reason).not.toMatch(/core/);
  });

  it('leaves the figure out where no thread could read it', () => {
    expect(judgeGenerator(starved(30, [undefined]), 1, 1, metrics)).not.toHaveProperty(
      'cpu_wait_pct',
    );
  });
});

describe("the generator's CPU as reports say it", () => {
  it('names the wait for a core from 5%, and not where it is small or unknown', () => {
    expect(generatorCpuText({ cpu_pct: 40, cpu_wait_pct: 32.5 })).toBe(
      'cpu 40% (waited for a core 32.5%)',
    );
    expect(generatorCpuText({ cpu_pct: 40, cpu_wait_pct: 0.6 })).toBe('cpu 40%');
    expect(generatorCpuText({ cpu_pct: 40 })).toBe('cpu 40%');
  });

  it('says send lag is not there to show when every request waited for the bound', () => {
    const lag = newHistogram();
    const view = (p99: number, sent: number) =>
      ({
        generator: { send_lag_p99_ms: p99 },
        histograms: { send_lag: encode(lag) },
        counters: { sent },
      }) as unknown as Parameters<typeof sendLagText>[0];
    expect(sendLagText(view(0, 500))).toBe(
      "send lag p99 n/a (every request waited for the client's bound)",
    );
    // Nothing sent (a consume run): nothing to explain.
    expect(sendLagText(view(0, 0))).toBe('send lag p99 0 ms');
    recordUs(lag, 0);
    // A closed loop sends at once: its lag is a real 0.
    expect(sendLagText(view(0, 500))).toBe('send lag p99 0 ms');
    expect(sendLagText(view(1.25, 500))).toBe('send lag p99 1.25 ms');
  });
});
