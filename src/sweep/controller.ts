/**
 * The capacity search, pure: step outcomes in, the next offered rate (or the answer) out.
 * Bracket the limit by geometric growth, then bisect between the highest passing and the
 * lowest failing rate. A step the generator could not drive is not the target's failure:
 * the search stops and reports "at least" the best passing rate.
 */
export interface SweepConfig {
  startRps: number;
  maxRps: number;
  growth: number;
  /** Stop bisecting when (fail - pass) / pass is at most this. */
  resolution: number;
  maxSteps: number;
}

export interface StepOutcome {
  offered: number;
  achieved: number;
  pass: boolean;
  reasons: string[];
  generatorSaturated: boolean;
}

export interface SweepVerdict {
  /** Achieved rate of the highest passing step (null: even the lowest step failed). */
  maxSustainableRps: number | null;
  /** True when the search could not go higher for the generator's sake, not the target's. */
  atLeast: boolean;
  breakingPoint: { rps: number; achieved: number; reason: string } | null;
  stopReason: string;
  /** The generator, not the target, ended the search (it saturated, or its agents went):
   * the sweep measured a floor of the capacity and is not a valid capacity run. */
  generatorLimited: boolean;
}

export type Next = { kind: 'step'; rate: number } | { kind: 'done'; verdict: SweepVerdict };

export const DEFAULT_SWEEP: SweepConfig = {
  startRps: 100,
  maxRps: 1_000_000,
  growth: 2,
  resolution: 0.05,
  maxSteps: 20,
};

export class SweepController {
  private readonly steps: StepOutcome[] = [];
  private pass: StepOutcome | undefined;
  private fail: StepOutcome | undefined;
  private finished: SweepVerdict | undefined;
  private nextRate: number;
  private readonly retried = new Set<number>();

  constructor(private readonly c: SweepConfig) {
    if (!(c.startRps > 0) || !(c.maxRps >= c.startRps) || !(c.growth > 1))
      throw new RangeError('bad sweep config');
    this.nextRate = c.startRps;
  }

  get history(): readonly StepOutcome[] {
    return this.steps;
  }

  next(): Next {
    return this.finished
      ? { kind: 'done', verdict: this.finished }
      : { kind: 'step', rate: this.nextRate };
  }

  record(o: StepOutcome): void {
    if (this.finished) throw new Error('sweep already finished');
    this.steps.push(o);
    if (o.generatorSaturated) {
      // A generator hiccup says nothing about the target: try the same rate once more.
      if (!this.retried.has(o.offered) && this.steps.length < this.c.maxSteps) {
        this.retried.add(o.offered);
        this.nextRate = o.offered;
        return;
      }
      return this.done(
        `the load generator saturated at ${Math.round(o.offered)} req/s: the target sustains at least the best passing rate`,
        true,
        true,
      );
    }
    if (o.pass && (!this.pass || o.offered > this.pass.offered)) this.pass = o;
    if (!o.pass && (!this.fail || o.offered < this.fail.offered)) this.fail = o;
    if (this.steps.length >= this.c.maxSteps)
      return this.done(`step limit (${this.c.maxSteps}) reached`);

    if (!this.fail) {
      // Still bracketing upwards.
      if (o.offered >= this.c.maxRps)
        return this.done(`no failure up to --max ${this.c.maxRps} req/s`, true);
      this.nextRate = Math.min(o.offered * this.c.growth, this.c.maxRps);
      return;
    }
    if (!this.pass) {
      // Even the first step failed: bracket downwards.
      const lower = this.fail.offered / this.c.growth;
      if (lower < 1) return this.done('failed even at 1 req/s');
      this.nextRate = lower;
      return;
    }
    if ((this.fail.offered - this.pass.offered) / this.pass.offered <= this.c.resolution) {
      return this.done(`bracketed to within ${Math.round(this.c.resolution * 100)}%`);
    }
    this.nextRate = (this.pass.offered + this.fail.offered) / 2;
  }

  /** Ends the sweep from outside (the generators are gone): what passed so far is a floor. */
  abandon(stopReason: string): void {
    if (!this.finished) this.done(stopReason, true, true);
  }

  private done(stopReason: string, atLeast = false, generatorLimited = false): void {
    this.finished = {
      generatorLimited,
      maxSustainableRps: this.pass ? this.pass.achieved : null,
      atLeast,
      breakingPoint: this.fail
        ? {
            rps: this.fail.offered,
            achieved: this.fail.achieved,
            reason: this.fail.reasons.join('; '),
          }
        : null,
      stopReason,
    };
  }
}
