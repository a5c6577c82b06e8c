/**
 * Execution history events in the shapes of Step Functions' GetExecutionHistory. Times are milliseconds
 * since the epoch here; the wire API turns them into epoch seconds.
 */

export type HistoryEventType =
  | 'ExecutionStarted'
  | 'ExecutionSucceeded'
  | 'ExecutionFailed'
  | 'ExecutionAborted'
  | 'ExecutionTimedOut'
  | 'TaskStateEntered'
  | 'TaskStateExited'
  | 'ChoiceStateEntered'
  | 'ChoiceStateExited'
  | 'PassStateEntered'
  | 'PassStateExited'
  | 'WaitStateEntered'
  | 'WaitStateExited'
  | 'SucceedStateEntered'
  | 'SucceedStateExited'
  | 'FailStateEntered'
  | 'TaskScheduled'
  | 'TaskStarted'
  | 'TaskSubmitted'
  | 'TaskSucceeded'
  | 'TaskFailed'
  | 'TaskTimedOut'
  | 'LambdaFunctionScheduled'
  | 'LambdaFunctionStarted'
  | 'LambdaFunctionSucceeded'
  | 'LambdaFunctionFailed'
  | 'LambdaFunctionTimedOut';

interface DataDetails {
  truncated: boolean;
}

/** Event details, keyed as the API keys them. */
export interface HistoryEventDetails {
  executionStartedEventDetails?: { input: string; inputDetails: DataDetails; roleArn: string };
  executionSucceededEventDetails?: { output: string; outputDetails: DataDetails };
  executionFailedEventDetails?: { error: string; cause: string };
  executionAbortedEventDetails?: { error?: string; cause?: string };
  executionTimedOutEventDetails?: { error: string; cause: string };
  stateEnteredEventDetails?: { name: string; input: string; inputDetails: DataDetails };
  stateExitedEventDetails?: { name: string; output: string; outputDetails: DataDetails };
  taskScheduledEventDetails?: {
    resourceType: string;
    resource: string;
    region: string;
    /** The effective parameters as JSON: the only place a task token may appear. */
    parameters: string;
    timeoutInSeconds?: number;
    heartbeatInSeconds?: number;
  };
  taskStartedEventDetails?: { resourceType: string; resource: string };
  taskSubmittedEventDetails?: { resourceType: string; resource: string; output: string; outputDetails: DataDetails };
  taskSucceededEventDetails?: { resourceType: string; resource: string; output: string; outputDetails: DataDetails };
  taskFailedEventDetails?: { resourceType: string; resource: string; error: string; cause: string };
  taskTimedOutEventDetails?: { resourceType: string; resource: string; error: string; cause: string };
  lambdaFunctionScheduledEventDetails?: { resource: string; input: string; inputDetails: DataDetails; timeoutInSeconds?: number };
  lambdaFunctionSucceededEventDetails?: { output: string; outputDetails: DataDetails };
  lambdaFunctionFailedEventDetails?: { error: string; cause: string };
  lambdaFunctionTimedOutEventDetails?: { error: string; cause: string };
}

export interface HistoryEvent extends HistoryEventDetails {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: HistoryEventType;
}

/** The fields that carry execution data (input, output), dropped when includeExecutionData is false. */
const DATA_FIELDS = ['input', 'inputDetails', 'output', 'outputDetails', 'parameters'] as const;

/** An event without its input and output (GetExecutionHistory with includeExecutionData: false). */
export function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  const copy: Record<string, unknown> = { ...event };
  for (const [key, value] of Object.entries(copy)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object') {
      const details: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      for (const field of DATA_FIELDS) delete details[field];
      copy[key] = details;
    }
  }
  return copy as unknown as HistoryEvent;
}

/** Truncation details for data this service never truncates. */
export const NOT_TRUNCATED: DataDetails = { truncated: false };
