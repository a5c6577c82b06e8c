/**
 * What a figure of the benchmark is: its samples summarised, the checks against issue 7's targets, and notes
 * on where the time goes. Pure.
 */
import { summarize, type Summary } from './stats.ts';

/** One comparison of a measured value with its target. */
export interface Check {
  /** What is compared, e.g. "p95" or "accepted per second". */
  name: string;
  value: number;
  /** The value must be at most / at least this. */
  atMost?: number;
  atLeast?: number;
  pass: boolean;
}

/** A figure as it is reported. */
export interface Figure {
  id: string;
  title: string;
  /** Unit of the samples and of the summary. */
  unit: string;
  /** The target as issue 7 states it. */
  target: string;
  summary: Summary;
  checks: Check[];
  /** True when every check passed; null when the figure has nothing to check (reported only). */
  pass: boolean | null;
  /** The samples (latency figures), for the plot. */
  samples: number[];
  /** Sub-figures, e.g. the time spent in each state. */
  breakdown?: Record<string, Summary>;
  /** Other measured values (counts, rates). */
  values?: Record<string, number>;
  /** Sample counts asked for, durations, and what was seen on the way. */
  notes: string[];
  /** Set when the figure could not be measured. */
  error?: string;
}

/** A check that a value is at most `limit`. */
export function atMost(name: string, value: number, limit: number): Check {
  return { name, value, atMost: limit, pass: Number.isFinite(value) && value <= limit };
}

/** A check that a value is at least `limit`. */
export function atLeast(name: string, value: number, limit: number): Check {
  return { name, value, atLeast: limit, pass: Number.isFinite(value) && value >= limit };
}

/** Builds a figure from samples and checks; `pass` is null when there are no checks. */
export function figure(input: Omit<Figure, 'summary' | 'pass' | 'checks'> & { checks?: Check[] }): Figure {
  const checks = input.checks ?? [];
  return {
    ...input,
    checks,
    summary: summarize(input.samples),
    pass: checks.length === 0 ? null : checks.every((c) => c.pass),
  };
}

/** A figure that could not be measured: it misses its target and says why. */
export function failedFigure(id: string, title: string, unit: string, target: string, error: unknown): Figure {
  const message = error instanceof Error ? error.message : String(error);
  return { id, title, unit, target, summary: summarize([]), checks: [], pass: false, samples: [], notes: [], error: message };
}

/** How a check reads in a report: "p95 1234 ≤ 3000". */
export function describeCheck(check: Check, unit = ''): string {
  const bound = check.atMost !== undefined ? `≤ ${check.atMost}` : `≥ ${check.atLeast}`;
  const value = Number.isFinite(check.value) ? String(Math.round(check.value * 100) / 100) : 'n/a';
  return `${check.name} ${value}${unit ? ` ${unit}` : ''} (target ${bound})`;
}

/**
 * Samples a figure takes even when its step is past its share of the budget (a figure with none measures
 * nothing): loops stop on the budget only once they have this many.
 */
export const MIN_SAMPLES = 10;
