/**
 * The pieces the benchmarks share: a fast target (nginx, or a Node server), core pinning,
 * one bench-router step as a child process, and the ramp that finds the highest rate a
 * configuration sustains (achieved within 1% of offered, no errors, generator not saturated).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { freePort } from '../src/util/free-port.js';
import { SweepController } from '../src/sweep/controller.js';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BENCH = join(ROOT, 'dist/cli/bench-router.js');
export const GEN_CORE = '0';
export const TARGET_CORE = String(Math.max(0, cpus().length - 1));
/**
 * Each step's warm-up: at hundreds of thousands of messages a second V8 needs ~2 s to compile
 * the generator's hot path (measured: a 1 s warm-up left the first measured second of a
 * 260k msg/s NATS publish run at send lag p99 ~30 ms against ~3 ms after a 3 s one). The
 * tool's own default warm-up is 5 s.
 */
const STEP = { duration: '4s', warmup: '3s' };
export const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
export const pinned = (core: string, cmd: string, args: string[]): [string, string[]] =>
  hasTaskset ? ['taskset', ['-c', core, cmd, ...args]] : [cmd, args];
/** `pinned` when `pin`, else the command as it is. */
export const pinnedIf = (
  pin: boolean,
  core: string,
  cmd: string,
  args: string[],
): [string, string[]] => (pin ? pinned(core, cmd, args) : [cmd, args]);

export function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.on('close', (code) => resolve({ code, stdout }));
  });
}

export async function startTarget(): Promise<{ url: string; kind: string; proc: ChildProcess }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'perfkit-bench-'));
  if (spawnSync('nginx', ['-v']).status === 0) {
    mkdirSync(join(dir, 'logs'));
    writeFileSync(
      join(dir, 'nginx.conf'),
      `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/logs/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 10000000;
  server { listen 127.0.0.1:${port}; location / { return 200 '{"ok":true}'; } } }\n`,
    );
    const [cmd, args] = pinned(TARGET_CORE, 'nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir]);
    const proc = spawn(cmd, args, { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 500));
    return { url: `http://127.0.0.1:${port}/`, kind: 'nginx (1 worker)', proc };
  }
  const src = `require('http').createServer((q,s)=>{q.resume();q.on('end',()=>s.end('{"ok":true}'))}).listen(${port},'127.0.0.1')`;
  const [cmd, args] = pinned(TARGET_CORE, process.execPath, ['-e', src]);
  const proc = spawn(cmd, args, { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  return { url: `http://127.0.0.1:${port}/`, kind: 'node http server', proc };
}

export interface Step {
  rate: number;
  achieved: number;
  saturated: boolean;
  sustained: boolean;
  p99: number;
  lagP99: number;
  /** The generator's wait for a core, % of the run (Linux; the most of any agent). */
  cpuWait?: number;
  /** Judged by the majority of three tries (a failure always is; a pass when reported). */
  confirmed?: boolean;
}

/** The node arguments of one quiet bench-router run writing its result to `out`. */
export function benchRouterArgv(
  target: string[],
  rate: number,
  duration: string,
  warmup: string,
  out: string,
): string[] {
  return [
    BENCH,
    ...target,
    '--rate',
    String(Math.round(rate)),
    '--duration',
    duration,
    '--warmup',
    warmup,
    '--out',
    out,
    '--quiet',
  ];
}

/** `target` is a URL, or the target arguments themselves (e.g. a NATS subject too). */
export async function ours(target: string | string[], rate: number, pin = true): Promise<Step> {
  const out = join(tmpdir(), `perfkit-bench-${process.pid}.json`);
  const targetArgs =
    typeof target === 'string' ? ['--target', target, '--connections', '32'] : target;
  const argv = benchRouterArgv(targetArgs, rate, STEP.duration, STEP.warmup, out);
  // Unpinned for fleets: agents are child processes and would inherit the one core.
  const [cmd, args] = pin ? pinned(GEN_CORE, process.execPath, argv) : [process.execPath, argv];
  const r = await run(cmd, args);
  const res = JSON.parse(readFileSync(out, 'utf8')) as {
    metrics: { rps: number; latency_p99_ms: number; errors_total: number };
    generator: { saturated: boolean; send_lag_p99_ms: number; cpu_wait_pct?: number };
  };
  const achieved = res.metrics.rps;
  const sustained =
    r.code === 0 &&
    !res.generator.saturated &&
    res.metrics.errors_total === 0 &&
    Math.abs(achieved - rate) / rate <= 0.01;
  return {
    rate: Math.round(rate),
    achieved,
    saturated: res.generator.saturated,
    sustained,
    p99: res.metrics.latency_p99_ms,
    lagP99: res.generator.send_lag_p99_ms,
    ...(res.generator.cpu_wait_pct !== undefined ? { cpuWait: res.generator.cpu_wait_pct } : {}),
  };
}

/**
 * The highest rate the generator sustains (achieved within 1%, no errors, not saturated),
 * found by capacity-sweep's own controller: bracket by x1.3, then bisect to within 4%. Here
 * the generator is what is measured, so its saturation is this search's failure, not a
 * reason to stop with "at least".
 *
 * A step that fails is run twice more and judged by the majority of its three tries. A ramp
 * passes through ten or more steps and the first failure caps it, so on this shared host
 * one disturbed 4 s step (a noisy neighbour, not the generator) decided the figure: NATS
 * publish measured 328k-678k msg/s across four runs of one day. The peers are medians of
 * three runs; this gives the failed steps the same footing.
 *
 * The rate reported is held to the same rule from the other side: the search may pass a
 * step on one lucky try, so before it is reported the highest passed step is tried twice
 * more, and if most of its tries fail the next lower passed step is tried instead. Without
 * this the figure was the best of a dozen noisy tries, and what was compared with it (the
 * overload section's 2x and 3x runs) was held to a rate the generator had reached once.
 */
export async function maxSustained(
  url: string | string[],
  start: number,
  pin = true,
): Promise<{ best: Step | undefined; steps: Step[] }> {
  const steps: Step[] = [];
  const ctl = new SweepController({
    startRps: start,
    maxRps: start * 1000,
    growth: 1.3,
    resolution: 0.04,
    maxSteps: 16,
  });
  for (let n = ctl.next(); n.kind === 'step'; n = ctl.next()) {
    const s = await majorityStep(url, n.rate, pin);
    steps.push(s);
    ctl.record({
      offered: n.rate,
      achieved: s.achieved,
      pass: s.sustained,
      reasons: s.sustained ? [] : ['not sustained'],
      generatorSaturated: false,
    });
  }
  const passedSteps = steps.filter((s) => s.sustained).sort((a, b) => b.rate - a.rate);
  for (const s of passedSteps) {
    if (s.confirmed) return { best: s, steps };
    const c = await majorityStep(url, s.rate, pin, [s]);
    steps.push(c);
    if (c.sustained) return { best: c, steps };
  }
  return { best: undefined, steps };
}

/**
 * One ramp step: a try, and when it fails two more, the majority deciding (see above).
 * Given earlier tries (`tries`), it goes on from them until a majority of three agrees.
 */
async function majorityStep(
  url: string | string[],
  rate: number,
  pin: boolean,
  tries: Step[] = [],
): Promise<Step> {
  const confirming = tries.length > 0;
  const passed = (): number => tries.filter((t) => t.sustained).length;
  while (tries.length < 3 && passed() < 2 && tries.length - passed() < 2) {
    const s = await ours(url, rate, pin);
    tries.push(s);
    log(
      `  ours @ ${s.rate}${tries.length > 1 ? ` (try ${tries.length})` : ''}: achieved ${s.achieved}, p99 ${s.p99} ms, send lag p99 ${s.lagP99} ms -> ${s.sustained ? 'sustained' : 'NOT sustained'}`,
    );
    if (!confirming && tries.length === 1 && s.sustained) return s;
  }
  const sustained = passed() >= 2;
  // The figure reported is a try that agrees with the verdict: of two, the lower achieved rate.
  const agree = tries
    .filter((t) => t.sustained === sustained)
    .sort((a, b) => a.achieved - b.achieved);
  return { ...agree[Math.floor((agree.length - 1) / 2)]!, sustained, confirmed: true };
}

export const log = (s: string): void => void process.stdout.write(`${s}\n`);
export const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
