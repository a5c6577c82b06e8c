/**
 * EventBridge schedule expressions: `rate(value unit)` parsed to its period; `cron(...)` recognised (and
 * stored) but not run locally (LIMITATIONS in provider.ts).
 */

/** A schedule expression EventBridge would refuse. */
export class InvalidScheduleExpressionError extends Error {
  constructor(expression: string) {
    super(`Parameter ScheduleExpression is not valid: ${expression}`);
    this.name = 'InvalidScheduleExpressionError';
  }
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * The period of a `rate()` expression in milliseconds; undefined for a `cron()` one. As on AWS the value is a
 * positive whole number and the unit singular for 1 (`rate(1 minute)`), plural otherwise (`rate(5 minutes)`).
 */
export function schedulePeriodMs(expression: string): number | undefined {
  if (/^cron\(.+\)$/.test(expression)) return undefined;
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!rate) throw new InvalidScheduleExpressionError(expression);
  const value = Number(rate[1]);
  const unit = rate[2] ?? '';
  const singular = unit.replace(/s$/, '');
  if (value < 1 || (value === 1) !== (unit === singular)) throw new InvalidScheduleExpressionError(expression);
  return value * (UNIT_MS[singular] ?? Number.NaN);
}
