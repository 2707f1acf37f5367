/**
 * The generator's cost, measured side by side with peers on the same target in one run
 * (`npm run bench`, sections `cpu`, `overload`, `router`, `capacity`):
 *
 *  - cpu: whole-process CPU (user + system, children included) of bench-router, autocannon
 *    -R and a bare evenly paced Node loop (paced by setTimeout, and by the same timerfd as
 *    bench-router: what keeping the schedule costs, with no bookkeeping), each driving the
 *    same nginx at the same rate for the same length, pinned to the same core; and
 *    bench-router's send lag. autocannon -R does not pace: it sends each second's quota in a
 *    burst, which wakes nginx (and itself) far less often than an even schedule does. Each side's
 *    start-up (a 1 s run at 1 req/s) is measured too, so the ratio of the load alone is shown
 *    beside the whole-process one. And the host's floor: how late, and at what CPU, a thread
 *    that does nothing but sleep to the same instants wakes (`sleep-floor.js`).
 *  - overload: bench-router at 2x and 3x the rate it sustains, three rounds (medians), each
 *    round also running 1x first: what it achieves (against the sustained rate, and against
 *    what the same round's 1x run carried), timeouts, the limit it names, whether it ends on
 *    time.
 *  - router: the built-in router's CPU and the generator's at 500 req/s (the demo).
 *  - capacity: a CPU-bound service (a fixed CPU time per request, one process per core it
 *    has): capacity-sweep's answer against the closed-loop capacity `hey` measures in the
 *    same run, sharing the machine with the client and on a core of its own.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/util/free-port.js';
import { BATCH_MS } from '../src/driver/open-loop.js';
import {
  GEN_CORE,
  TARGET_CORE,
  benchRouterArgv,
  hasTaskset,
  ROOT,
  log,
  median,
  pinned,
  pinnedIf,
  run,
} from './ramp.js';

const LENGTH_S = 8;
const ROUNDS = Number(process.env.BENCH_REPS ?? 3);
const AUTOCANNON = join(ROOT, 'node_modules/autocannon/autocannon.js');
const DIST = join(ROOT, 'dist');
/** The benchmarks' own compiled helpers (tsconfig.bench.json). */
const BUILD = join(ROOT, 'build');

interface Cost {
  cpuS: number;
  stdout: string;
  wallS: number;
}

/** Runs a command (pinned to the generator core) and returns its CPU with its children's. */
async function cpuOf(cmd: string, args: string[], pin = true): Promise<Cost> {
  const [c, a] = pinnedIf(pin, GEN_CORE, cmd, args);
  const t0 = Date.now();
  // `times` prints the shell's own and its children's user/system time, last two lines.
  const r = await run('bash', ['-c', '"$@"; times', 'bash', c, ...a]);
  const lines = r.stdout.trimEnd().split('\n');
  const child = lines.at(-1)!.trim().split(/\s+/);
  const secs = (t: string): number => {
    const m = /(\d+)m([\d.]+)s/.exec(t);
    return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  };
  return {
    cpuS: secs(child[0]!) + secs(child[1]!),
    stdout: lines.slice(0, -2).join('\n'),
    wallS: (Date.now() - t0) / 1000,
  };
}

function readResult(path: string): {
  metrics: Record<string, number>;
  counters: Record<string, number>;
  generator: {
    send_lag_p99_ms: number;
    cpu_pct: number;
    limit?: string;
    limit_reason?: string;
    saturated: boolean;
  };
} {
  return JSON.parse(readFileSync(path, 'utf8')) as ReturnType<typeof readResult>;
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * What starting costs each side: a 1 s run at 1 req/s on the rows' 32 connections, whole
 * process, as in the rows. The rows' ratio is whole-process as the acceptance asks; beside
 * it, the ratio of what the load itself cost (the run less its start), which tells a
 * start-up gap from a per-request one.
 */
async function startupCosts(url: string, out: string): Promise<{ ours: number; ac: number }> {
  const ours: number[] = [];
  const ac: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    ours.push(
      (
        await cpuOf(
          process.execPath,
          benchRouterArgv(['--target', url, '--connections', '32'], 1, '1s', '0s', out),
        )
      ).cpuS,
    );
    ac.push(
      (await cpuOf(process.execPath, [AUTOCANNON, '-R', '1', '-d', '1', '-c', '32', '-j', url]))
        .cpuS,
    );
  }
  log(
    `  start-up (1 s at 1 req/s): bench-router ${ours.map((x) => x.toFixed(2)).join(' / ')} s CPU, autocannon ${ac.map((x) => x.toFixed(2)).join(' / ')} s`,
  );
  return { ours: median(ours), ac: median(ac) };
}

export async function cpuSection(url: string): Promise<Record<string, unknown>> {
  const out = join(tmpdir(), `perfkit-cost-${process.pid}.json`);
  const rows: Record<string, unknown>[] = [];
  const startup = await startupCosts(url, out);
  for (const rate of [1000, 20000]) {
    const o: number[] = [];
    const ac: number[] = [];
    const raw: number[] = [];
    const precise: number[] = [];
    const lag: number[] = [];
    const floor: number[] = [];
    const floorCpu: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const a = await cpuOf(
        process.execPath,
        benchRouterArgv(['--target', url, '--connections', '32'], rate, `${LENGTH_S}s`, '0s', out),
      );
      const res = readResult(out);
      o.push(a.cpuS);
      lag.push(res.generator.send_lag_p99_ms);
      const b = await cpuOf(process.execPath, [
        AUTOCANNON,
        '-R',
        String(rate),
        '-d',
        String(LENGTH_S),
        '-c',
        '32',
        '-j',
        url,
      ]);
      ac.push(b.cpuS);
      const c = await cpuOf(process.execPath, [
        join(BUILD, 'bench/paced-loop.js'),
        url,
        String(rate),
        String(LENGTH_S),
        '32',
      ]);
      raw.push(c.cpuS);
      // One timerfd wake-up a slot: only where the slots are no closer than bench-router's
      // wake-up grid (above it, bench-router batches and the setTimeout loop is the peer).
      // No output: the compiled timer is not built here, and there is no such floor to show.
      const p =
        1000 / rate >= BATCH_MS
          ? await cpuOf(process.execPath, [
              join(BUILD, 'bench/paced-loop.js'),
              url,
              String(rate),
              String(LENGTH_S),
              '32',
              'timerfd',
            ])
          : undefined;
      const timerfd = p !== undefined && p.stdout.trim() !== '';
      precise.push(timerfd ? p.cpuS : NaN);
      // The host's own wake-up lateness at the loop's wake interval, right after: the floor.
      // Its CPU is the floor too: a thread that does nothing but wake up that often.
      const gapMs = Math.max(1000 / rate, BATCH_MS);
      const f = await cpuOf(process.execPath, [
        join(BUILD, 'bench/sleep-floor.js'),
        String(gapMs),
        String(LENGTH_S),
      ]);
      floorCpu.push(f.cpuS);
      floor.push((JSON.parse(f.stdout) as { p99_ms: number }).p99_ms);
      log(
        `  ${rate} req/s round ${i + 1}: bench-router ${a.cpuS.toFixed(2)} s CPU (achieved ${res.metrics.rps}, send lag p99 ${res.generator.send_lag_p99_ms} ms), autocannon ${b.cpuS.toFixed(2)} s, paced loop ${c.cpuS.toFixed(2)} s${timerfd ? ` (on the timerfd ${p.cpuS.toFixed(2)} s)` : ''}; a bare sleep every ${r3(gapMs)} ms woke ${floor.at(-1)} ms late at p99 and cost ${f.cpuS.toFixed(2)} s of CPU`,
      );
    }
    const row = {
      rate,
      length_s: LENGTH_S,
      bench_router_cpu_s: o.map(r3),
      autocannon_cpu_s: ac.map(r3),
      paced_loop_cpu_s: raw.map(r3),
      timerfd_paced_loop_cpu_s: precise.map(r3),
      send_lag_p99_ms: lag,
      ratio_over_autocannon: r3(median(o) / median(ac)),
      ratio_over_paced_loop: r3(median(o) / median(raw)),
      ratio_over_timerfd_paced_loop: r3(median(o) / median(precise)),
      timerfd_paced_loop_over_autocannon: r3(median(precise) / median(ac)),
      startup_cpu_s: { bench_router: r3(startup.ours), autocannon: r3(startup.ac) },
      ratio_over_autocannon_after_startup: r3(
        (median(o) - startup.ours) / (median(ac) - startup.ac),
      ),
      send_lag_p99_ms_median: median(lag),
      sleep_floor_p99_ms: floor,
      sleep_floor_p99_ms_median: median(floor),
      sleep_floor_cpu_s: floorCpu.map(r3),
    };
    log(
      `cpu @ ${rate} req/s, ${LENGTH_S} s: bench-router / autocannon ${row.ratio_over_autocannon} (${row.ratio_over_autocannon_after_startup} less each side's start-up), bench-router / paced loop ${row.ratio_over_paced_loop}${Number.isFinite(row.ratio_over_timerfd_paced_loop) ? ` (/ the timerfd-paced loop ${row.ratio_over_timerfd_paced_loop}, which itself costs ${row.timerfd_paced_loop_over_autocannon}x autocannon)` : ''}, send lag p99 ${row.send_lag_p99_ms_median} ms, bare sleep p99 ${row.sleep_floor_p99_ms_median} ms costing ${r3(median(floorCpu))} s (medians of ${ROUNDS})`,
    );
    rows.push(row);
  }
  return { rows };
}

export async function overloadSection(
  url: string,
  sustained: number,
): Promise<Record<string, unknown>> {
  interface Try {
    achieved: number;
    achieved_over_sustained: number;
    achieved_over_same_round_1x: number;
    timeouts: number;
    not_sent: number;
    limit: string;
    limit_reason: unknown;
    saturated: boolean;
    exit_code: number;
    wall_s: number;
  }
  const one = async (factor: number, reference: number): Promise<Try> => {
    const out = join(tmpdir(), `perfkit-overload-${process.pid}.json`);
    const t0 = Date.now();
    const [cmd, args] = pinned(
      GEN_CORE,
      process.execPath,
      benchRouterArgv(
        ['--target', url, '--connections', '32'],
        sustained * factor,
        '6s',
        '1s',
        out,
      ),
    );
    const r = await run(cmd, args);
    const wallS = (Date.now() - t0) / 1000;
    const res = readResult(out);
    const achieved = res.metrics.rps ?? 0;
    return {
      achieved,
      achieved_over_sustained: r3(achieved / sustained),
      achieved_over_same_round_1x: r3(achieved / (reference || achieved)),
      timeouts: res.metrics.timeouts_total ?? 0,
      not_sent: res.counters.not_sent ?? 0,
      limit: String(res.generator.limit),
      limit_reason: res.generator.limit_reason,
      saturated: res.generator.saturated,
      exit_code: r.code ?? -1,
      wall_s: r3(wallS),
    };
  };
  // Several rounds, the medians reported: one disturbed 7 s run on a shared host says little
  // about the generator (the peers' figures are medians too). Each round first runs the
  // sustained rate itself: this host's speed drifts by 10-25% within minutes, so what the
  // generator carries at 2x and 3x is also shown against what it carried at 1x just before,
  // beside the ratio to the rate the ramp found earlier.
  const byFactor = new Map<number, Try[]>([
    [1, []],
    [2, []],
    [3, []],
  ]);
  for (let i = 0; i < ROUNDS; i++) {
    let reference = 0;
    for (const factor of [1, 2, 3]) {
      const t = await one(factor, reference);
      if (factor === 1) reference = t.achieved;
      byFactor.get(factor)!.push(t);
      log(
        `  round ${i + 1}, ${factor}x: achieved ${t.achieved} (${t.achieved_over_sustained}x sustained, ${t.achieved_over_same_round_1x}x this round's 1x), ${t.timeouts} timeouts, ${t.not_sent} not sent, limit ${t.limit}, exit ${t.exit_code}, ${t.wall_s} s wall for 7 s`,
      );
    }
  }
  const rows = [2, 3].map((factor) => {
    const tries = byFactor.get(factor)!;
    const row = {
      offered: Math.round(sustained * factor),
      factor,
      achieved_over_sustained: median(tries.map((t) => t.achieved_over_sustained)),
      achieved_over_same_round_1x: median(tries.map((t) => t.achieved_over_same_round_1x)),
      timeouts: Math.max(...tries.map((t) => t.timeouts)),
      limits: [...new Set(tries.map((t) => t.limit))],
      wall_s_max: Math.max(...tries.map((t) => t.wall_s)),
      runs: tries,
    };
    log(
      `overload ${factor}x (${row.offered} req/s offered, sustained ${sustained}): achieved ${row.achieved_over_sustained}x sustained, ${row.achieved_over_same_round_1x}x the same round's 1x (medians of ${ROUNDS}), at most ${row.timeouts} timeouts, limit ${row.limits.join('/')}, at most ${row.wall_s_max} s wall for 7 s`,
    );
    return row;
  });
  return { sustained, at_sustained: byFactor.get(1), rows };
}

export async function routerSection(): Promise<Record<string, unknown>> {
  const out = join(tmpdir(), `perfkit-router-${process.pid}.json`);
  const router: number[] = [];
  const gen: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    await run(process.execPath, benchRouterArgv(['--target', 'builtin'], 500, '10s', '2s', out));
    const res = readResult(out);
    router.push(res.metrics.cpu_pct ?? NaN);
    gen.push(res.generator.cpu_pct);
    log(
      `  demo round ${i + 1}: router cpu ${res.metrics.cpu_pct}%, generator cpu ${res.generator.cpu_pct}%`,
    );
  }
  log(
    `built-in router at 500 req/s: router ${median(router)}% of a core, generator ${median(gen)}% (medians of ${ROUNDS})`,
  );
  return {
    router_cpu_pct: router,
    generator_cpu_pct: gen,
    router_median: median(router),
    generator_median: median(gen),
  };
}

/** hey's closed-loop rate and the share of a core hey itself used doing it. */
async function hey(url: string, pin: boolean): Promise<{ rps: number; cpuPct: number }> {
  const r = await cpuOf('hey', ['-z', '5s', '-c', '64', url], pin);
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  return { rps: m ? Number(m[1]) : NaN, cpuPct: (r.cpuS / 5) * 100 };
}

/**
 * The capacity of a CPU-bound service as capacity-sweep finds it, against hey, in two
 * layouts: `shared`, the service's workers (one per core) and the client on the same cores,
 * as on a CI runner, where each client leaves the service what it does not use itself (so a
 * lighter client finds more: the per-core ratio corrects for it); and `separate`, the service
 * (one worker) on the target core and the clients on the generator core, where both clients
 * see the same capacity and the ratio is the sweep's own accuracy.
 */
export async function capacitySection(burnMs = 0.4): Promise<Record<string, unknown>> {
  if (spawnSync('hey', ['-h']).error) {
    log('capacity: hey is not installed (apt-get install hey): skipped');
    return { skipped: 'hey missing' };
  }
  const out: Record<string, unknown> = { burn_ms: burnMs };
  out.shared = await capacityLayout(burnMs, false);
  if (hasTaskset) out.separate = await capacityLayout(burnMs, true);
  return out;
}

async function capacityLayout(burnMs: number, separate: boolean): Promise<Record<string, unknown>> {
  const layout = separate
    ? `service (1 worker) on core ${TARGET_CORE}, clients on core ${GEN_CORE}`
    : `service (${cpus().length} workers) and clients sharing the cores`;
  log(`  ${layout}`);
  const port = await freePort();
  const svcArgv = [join(BUILD, 'bench/cpu-service.js'), String(port), String(burnMs)];
  const [svcCmd, svcArgs] = pinnedIf(
    separate,
    TARGET_CORE,
    process.execPath,
    separate ? [...svcArgv, '1'] : svcArgv,
  );
  const svc = spawn(svcCmd, svcArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) =>
    svc.stdout.once('data', (d: Buffer) =>
      resolve((JSON.parse(d.toString()) as { url: string }).url),
    ),
  );
  try {
    const heyRuns = [await hey(url, separate), await hey(url, separate)];
    const closed = median(heyRuns.map((h) => h.rps));
    const heyCpu = median(heyRuns.map((h) => h.cpuPct));
    log(
      `    hey (closed loop, 64 connections): ${heyRuns.map((h) => `${Math.round(h.rps)} req/s using ${Math.round(h.cpuPct)}% of a core`).join(' / ')}`,
    );
    const out = join(tmpdir(), `perfkit-capacity-${process.pid}.json`);
    const t0 = Date.now();
    const sweepArgv = [
      join(DIST, 'cli/capacity-sweep.js'),
      '--target',
      url,
      '--slo-p99',
      '100ms',
      '--max-error-rate',
      '0.1%',
      '--start',
      '500',
      '--step-duration',
      '5s',
      '--step-warmup',
      '1s',
      '--connections',
      '64',
      '--out',
      out,
      '--quiet',
    ];
    await run(...pinnedIf(separate, GEN_CORE, process.execPath, sweepArgv));
    const sweep = JSON.parse(readFileSync(out, 'utf8')) as {
      max_sustainable_rps?: number;
      [k: string]: unknown;
    };
    const found = Number(sweep.max_sustainable_rps ?? NaN);
    const ratio = r3(found / closed);
    const sweepS = Math.round((Date.now() - t0) / 1000);
    log(
      `    capacity (${burnMs} ms CPU per request): capacity-sweep ${found} req/s, hey ${Math.round(closed)} req/s, ratio ${ratio} (${sweepS} s sweep)`,
    );
    const result: Record<string, unknown> = {
      layout,
      hey: heyRuns,
      sweep_max_sustainable: found,
      ratio_sweep_over_hey: ratio,
    };
    if (separate) return result;
    // The generator's own CPU at the rate found: the service shares the machine with the
    // client, so each client leaves it (cores - client CPU) to serve with.
    const check = join(tmpdir(), `perfkit-capacity-gen-${process.pid}.json`);
    await run(
      process.execPath,
      benchRouterArgv(['--target', url, '--connections', '64'], found, '5s', '1s', check),
    );
    const genCpu = readResult(check).generator.cpu_pct;
    const cores = cpus().length;
    const perCore = (rps: number, clientPct: number): number => rps / (cores - clientPct / 100);
    const ratioPerCore = r3(perCore(found, genCpu) / perCore(closed, heyCpu));
    log(
      `    per core left to the service: bench-router used ${genCpu}% of a core at ${found} req/s, hey ${Math.round(heyCpu)}% at ${Math.round(closed)}; ratio ${ratioPerCore}`,
    );
    return { ...result, generator_cpu_pct_at_found: genCpu, ratio_per_core_left: ratioPerCore };
  } finally {
    svc.kill('SIGTERM');
  }
}
