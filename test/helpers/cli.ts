import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { BenchResult } from '../../src/result/result.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BENCH = join(ROOT, 'dist/cli/bench-router.js');
export const GATE = join(ROOT, 'dist/cli/perf-gate.js');
export const runGateCli = (args: string[]): Promise<CliRun> =>
  runCli(args, { bin: GATE, timeoutMs: 120_000 });

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * What the CLIs print when the generator could not keep its schedule because its thread was
 * not run in time: a send-lag or loop-delay stall beyond the run's bound (exit 3). On this
 * 2-core runner other work delays even a plain Node timer (`setTimeout` at 300/s: p99
 * lateness 1.1 ms idle, 3.5-5.2 ms beside four busy processes), and a burst of it goes further.
 */
export const HOST_STALL = /(send lag|event-loop delay) p99 [\d.]+ ms exceeds/;

/**
 * Runs a built CLI as a user would, bounded in time. A run that the tool itself judged not
 * valid for a host stall is run again (at most `stallRetries` times, said on stderr): the
 * verdict is right, and a test about anything else must not depend on the runner's quiet.
 */
export async function runCli(
  args: string[],
  opts: RunOptions & { stallRetries?: number } = {},
): Promise<CliRun> {
  for (let retries = opts.stallRetries ?? 2; ; retries--) {
    const r = await runOnce(args, opts);
    const why = hostStall(r);
    if (retries <= 0 || !why) return r;
    process.stderr.write(`[test] host stall (${why}), running again: ${args.join(' ')}\n`);
  }
}

/** The stall a run exited 3 for (see HOST_STALL), if that is why it exited 3. */
export function hostStall(r: CliRun): string | undefined {
  return r.code === 3 ? HOST_STALL.exec(r.stdout + r.stderr)?.[0] : undefined;
}

interface RunOptions {
  timeoutMs?: number;
  onSpawn?: (c: ChildProcess) => void;
  cwd?: string;
  bin?: string;
  env?: NodeJS.ProcessEnv;
}

function runOnce(args: string[], opts: RunOptions): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [opts.bin ?? BENCH, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    opts.onSpawn?.(child);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    });
  });
}

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'perfkit-'));
}

export function readResult(path: string): BenchResult {
  return JSON.parse(readFileSync(path, 'utf8')) as BenchResult;
}

const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ strict: false }));
const validate = ajv.compile(
  JSON.parse(readFileSync(join(ROOT, 'schemas/bench-result.schema.json'), 'utf8')) as object,
);

export function schemaErrors(data: unknown): string {
  return validate(data) ? '' : ajv.errorsText(validate.errors);
}

/** The counters of a result must add up, whatever happened during the run. */
export function expectCountersAddUp(r: BenchResult): void {
  const c = r.counters;
  if (c.scheduled !== c.sent + c.not_sent)
    throw new Error(`scheduled ${c.scheduled} != sent ${c.sent} + not sent ${c.not_sent}`);
  const ended = c.ok + c.errors + c.timeouts + c.in_flight_at_end;
  if (c.sent !== ended) throw new Error(`sent ${c.sent} != ok+errors+timeouts+in flight ${ended}`);
}

/**
 * A target that freezes for S ms every P ms: a fraction f = S/P of requests wait uniformly
 * on (0, S], so the true percentile q (above 1 - f) is S * (1 - (1 - q) / f).
 */
export function truePercentile(q: number, stallMs: number, periodMs: number): number {
  const f = stallMs / periodMs;
  return stallMs * (1 - (1 - q) / f);
}

/** Bad input: exactly one line on stderr from the named CLI, no stack trace, exit 2. */
export function expectOneLineError(r: CliRun, cli: string, pattern: RegExp): void {
  const lines = r.stderr.trim().split('\n');
  if (r.code !== 2) throw new Error(`expected exit 2, got ${r.code}: ${r.stderr}`);
  if (lines.length !== 1) throw new Error(`expected one line, got: ${r.stderr}`);
  if (!lines[0]!.startsWith(`${cli}: `)) throw new Error(`expected "${cli}: ..." got: ${lines[0]}`);
  if (!pattern.test(lines[0]!)) throw new Error(`"${lines[0]}" does not match ${pattern}`);
  if (/\n\s+at /.test(r.stderr)) throw new Error('stack trace printed');
}

/**
 * `promtool check metrics` on a metrics text: its complaints ('' when clean). promtool comes
 * from Debian's prometheus package, which .ci/run installs.
 */
export function promtoolCheck(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', (e) =>
      reject(new Error(`promtool not found (apt-get install -y prometheus): ${e.message}`)),
    );
    c.on('close', () => resolve(out.trim()));
    c.stdin.end(text);
  });
}
