/**
 * How EventBridge treats a delivery to a target that failed: which failures it retries, how long it waits
 * between attempts and for how long it keeps trying, and what it sends to a dead-letter queue.
 *
 * Sources (EventBridge User Guide, "Debugging event delivery": "How EventBridge retries delivering events" and
 * "Using dead-letter queues to process undelivered events"; API reference, RetryPolicy):
 * - "When an event isn't successfully delivered to a target because of retriable errors, EventBridge retries
 *   sending the event"; "by default ... for 24 hours and up to 185 times with an exponential back off and
 *   jitter"; RetryPolicy: MaximumRetryAttempts 0-185, MaximumEventAgeInSeconds 60-86400.
 * - Errors that are not retriable (the target does not exist, permissions) are not retried: the event goes
 *   to the dead-letter queue at once, or is dropped.
 * - After the retries, "the event is dropped", or sent to the target's DLQ (a standard SQS queue) with the
 *   attributes ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS, RULE_ARN, TARGET_ARN and
 *   the event as the body.
 * AWS publishes no back-off numbers: here the n-th retry waits between half and all of min(1 s x 2^(n-1),
 * 5 min) ("equal jitter"), so early retries come within seconds and late ones minutes apart.
 */
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';

/** EventBridge's limits when a target sets no RetryPolicy. */
export const DEFAULT_RETRY_POLICY = { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86_400 } as const;
/** The first retry's back-off ceiling; it doubles per retry up to MAX_BACKOFF_MS. */
export const BASE_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 300_000;

/** Errors of the target's service that say "try again later". */
const RETRIABLE_CODES = new Set(['TooManyRequestsException', 'ThrottlingException', 'ServiceException', 'ServiceUnavailable', 'InternalFailure', 'EC2ThrottledException']);

/** Sends an undeliverable event to a dead-letter queue (an SQS queue ARN) with EventBridge's attributes. */
export interface DeadLetterSender {
  send(queueArn: string, event: Record<string, unknown>, attributes: Record<string, string>): Promise<void>;
}

export type DeliveryOutcome = { delivered: true } | { delivered: false; retriable: boolean; code: string; reason: string };

/** What a failed invocation of a target means for the delivery. */
export function deliveryOutcome(error: unknown): DeliveryOutcome {
  const code = error instanceof AwsServiceError ? error.code : error instanceof Error ? error.name : 'Error';
  const status = error instanceof AwsServiceError ? error.status : 500;
  const retriable = status >= 500 || status === 429 || RETRIABLE_CODES.has(code);
  return { delivered: false, retriable, code, reason: `${code}: ${error instanceof Error ? error.message : String(error)}` };
}

/** The target's retry limits, EventBridge's defaults where it sets none. */
export function retryLimits(policy: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number } | undefined): {
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
} {
  return {
    maximumRetryAttempts: policy?.MaximumRetryAttempts ?? DEFAULT_RETRY_POLICY.maximumRetryAttempts,
    maximumEventAgeSeconds: policy?.MaximumEventAgeInSeconds ?? DEFAULT_RETRY_POLICY.maximumEventAgeSeconds,
  };
}

/** The wait after the `attempt`-th failed attempt (1-based): exponential back-off with equal jitter. */
export function nextAttemptDelayMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.min(attempt - 1, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
