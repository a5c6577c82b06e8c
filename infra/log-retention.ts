/** The contract's log retention as the CDK enum, checked: CloudWatch accepts only certain day counts. */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { LOG_RETENTION_DAYS } from '#contract/index';

/** Thrown when a retention is not one CloudWatch Logs accepts. */
export class InvalidLogRetentionError extends Error {
  constructor(days: number) {
    super(`CloudWatch Logs does not accept a retention of ${days} days`);
    this.name = 'InvalidLogRetentionError';
  }
}

/** The RetentionDays value of a day count, or InvalidLogRetentionError. */
export function retentionDays(days: number): RetentionDays {
  const known = Object.values(RetentionDays).filter((v): v is RetentionDays => typeof v === 'number');
  const match = known.find((v) => v === days);
  if (match === undefined) throw new InvalidLogRetentionError(days);
  return match;
}

/** The retention of every log group of the system. */
export const LOG_RETENTION = retentionDays(LOG_RETENTION_DAYS);
