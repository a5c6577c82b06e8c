import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { InvalidLogRetentionError, LOG_RETENTION, retentionDays } from '#infra/log-retention';

describe('retentionDays', () => {
  it('maps the contract retention of 30 days to ONE_MONTH', () => {
    expect(LOG_RETENTION).toBe(RetentionDays.ONE_MONTH);
  });

  it('refuses a day count CloudWatch Logs does not accept', () => {
    expect(() => retentionDays(31)).toThrow(InvalidLogRetentionError);
  });
});
