import type { GateDoc } from './document.js';
import { evaluate, isRelative, type GateOutcome, type IntervalSource } from './evaluate.js';
import type { Policy, Rule } from './policy.js';
import { intersect, meanConfidenceSequence, type MeanInterval } from './sequential.js';

/**
 * `perf-gate compare`'s judgement, pure: pairs of rounds (baseline and candidate, run one
 * after the other on the same machine) in, after each pair a verdict and whether it is
 * final. Relative rules are judged on the paired log-ratios candidate/baseline of each pair,
 * through a confidence sequence, so looking after every pair keeps the error rate; other
 * rules are judged on all rounds pooled, once the relative ones have decided.
 */
export type Side = 'baseline' | 'candidate';

export interface Round {
  side: Side;
  /** The round's metrics (a bench-router result's `metrics`). */
  metrics: Record<string, unknown>;
  /** Why the round cannot be used (generator saturated, agents lost), if so. */
  invalid?: string;
  started_at: string;
  duration_s: number;
}

export interface Pair {
  index: number;
  first: Side;
  baseline: Round;
  candidate: Round;
}

/** One point of a rule's narrowing interval, for the reports. */
export interface IntervalStep {
  pair: number;
  rule: string;
  /** This pair's relative change, candidate vs baseline, in %. */
  change_pct: number;
  low_pct: number;
  high_pct: number;
}

/** What a comparison did, for the reports: every pair, every interval, why it stopped. */
export interface CompareRecord {
  pairs: Pair[];
  /** Per rule and pair: that pair's change and the rule's interval after it. */
  steps: IntervalStep[];
  discarded: { pair: number; why: string }[];
  stop_reason: 'decided' | 'budget' | 'interrupted' | 'invalid_rounds' | 'pairs';
  budget_s: number;
  elapsed_s: number;
  round_s: number;
  warmup_s: number;
  confidence: number;
  seed: number;
  targets: Record<Side, string>;
}

export interface CompareStep {
  outcome: GateOutcome;
  /** Every fail-severity relative rule is decided, or one of them is already a regression. */
  decided: boolean;
}

/** A log-ratio candidate/baseline as a relative change in %. */
export const pctOfLog = (logRatio: number): number => (Math.exp(logRatio) - 1) * 100;

/** Sums for counters (`*_total`), means for everything else: one value per side and metric. */
export function pooled(rounds: readonly Round[]): Record<string, number> {
  const sums: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const r of rounds)
    for (const [k, v] of Object.entries(r.metrics)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      sums[k] = (sums[k] ?? 0) + v;
      counts[k] = (counts[k] ?? 0) + 1;
    }
  const out: Record<string, number> = {};
  for (const k of Object.keys(sums))
    out[k] = k.endsWith('_total') ? sums[k]! : round6(sums[k]! / counts[k]!);
  return out;
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Every relative rule is judged with a confidence: the policy's, else the run's default. */
export function comparePolicy(policy: Policy, defaultConfidence: number): Policy {
  return {
    ...policy,
    rules: policy.rules.map((r) =>
      isRelative(r) && r.confidence === undefined ? { ...r, confidence: defaultConfidence } : r,
    ),
  };
}

export class CompareJudge {
  private readonly pairs: Pair[] = [];
  private readonly running = new Map<string, MeanInterval>();
  readonly steps: IntervalStep[] = [];
  readonly discarded: { pair: number; why: string }[] = [];

  constructor(private readonly policy: Policy) {}

  get used(): number {
    return this.pairs.length;
  }

  /** Takes a pair (or sets it aside when a round is invalid) and judges all pairs so far. */
  add(pair: Pair): CompareStep {
    const why = pair.baseline.invalid ?? pair.candidate.invalid;
    if (why) {
      this.discarded.push({ pair: pair.index, why });
      return this.judge();
    }
    this.pairs.push(pair);
    return this.judge(true);
  }

  /** The verdict on the pairs so far; `track` records the intervals (once per pair). */
  judge(track = false): CompareStep {
    if (!this.pairs.length)
      return {
        outcome: {
          verdict: 'inconclusive',
          exitCode: 3,
          reasons: ['no usable pair of rounds yet'],
          rules: [],
          comparability: [],
        },
        decided: false,
      };
    const base = this.doc('baseline');
    const cand = this.doc('candidate');
    const outcome = evaluate(this.policy, base, cand, this.source(base, cand, track));
    const relative = outcome.rules.filter((r) => r.interval && r.severity === 'fail');
    const decided =
      relative.some((r) => r.status === 'fail') ||
      relative.every((r) => r.status !== 'inconclusive');
    return { outcome, decided: decided && this.pairs.length >= 2 };
  }

  private doc(side: Side): GateDoc {
    const rounds = this.pairs.map((p) => p[side]);
    const samples: Record<string, number[]> = {};
    for (const r of rounds)
      for (const [k, v] of Object.entries(r.metrics))
        if (typeof v === 'number') (samples[k] ??= []).push(v);
    return {
      path: `${side} (${rounds.length} rounds)`,
      what: side,
      metrics: pooled(rounds),
      samples,
    };
  }

  /**
   * Paired log-ratios through the confidence sequence, intersected with the rule's earlier
   * intervals (a time-uniform interval may be). Metrics that reach zero (error counts) have
   * no ratio: those rules fall back to the pooled point comparison.
   */
  private source(base: GateDoc, cand: GateDoc, track: boolean): IntervalSource {
    return {
      fallback: 'a metric that reaches 0 has no paired ratio: pooled point comparison; ',
      interval: (rule: Rule, bName: string, cName: string, confidence: number) => {
        const a = base.samples?.[bName] as number[] | undefined;
        const b = cand.samples?.[cName] as number[] | undefined;
        if (!a || !b || a.length !== b.length || a.length < 1) return undefined;
        if (![...a, ...b].every((x) => x > 0)) return undefined;
        const clip = clipFor(rule);
        const d = a.map((x, i) => Math.max(-clip, Math.min(clip, Math.log(b[i]! / x))));
        const iv = intersect(this.running.get(rule.id), meanConfidenceSequence(d, 1 - confidence));
        if (track) {
          this.running.set(rule.id, iv);
          this.steps.push({
            pair: this.pairs.at(-1)!.index,
            rule: rule.id,
            change_pct: round3(pctOfLog(Math.log(b.at(-1)! / a.at(-1)!))),
            low_pct: round3(pctOfLog(iv.low)),
            high_pct: round3(pctOfLog(iv.high)),
          });
        }
        return {
          lowPct: pctOfLog(iv.low),
          highPct: pctOfLog(iv.high),
          method: 'sequential-paired',
          n: [a.length, b.length],
        };
      },
    };
  }
}

/**
 * Each pair's log-ratio is clipped to +-ln(1 + max(25%, 2 x tolerance)). One round hit by a
 * burst of machine noise (another job's compile: 10x the latency) would otherwise inflate the
 * spread, and so the interval, for dozens of pairs; clipped, it weighs at most as much as a
 * change twice the tolerance. The clip lies beyond the tolerance, so a large regression is
 * still one, only its size is understated (the reports show each pair's own change).
 */
export function clipFor(rule: Rule): number {
  return Math.log1p(Math.max(0.25, (2 * rule.limit) / 100));
}

const round3 = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x);
