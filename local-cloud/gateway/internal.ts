/**
 * In-process seams between local services. The wire APIs are for clients; services of the local cloud
 * call each other through these small interfaces (as AWS services do internally).
 */

/** CloudWatch Logs, as other services write to it (ECS task output, Lambda output). */
export interface LogSink {
  /** Appends lines to a stream, creating the group and stream when missing. */
  append(logGroupName: string, logStreamName: string, events: readonly { timestamp: number; message: string }[]): void;
}

/** An EventBridge event as services emit it (the PutEvents entry shape). */
export interface BusEvent {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  resources?: string[];
  time?: Date;
}

/** EventBridge's default bus, as other services publish to it. */
export interface EventPublisher {
  publish(event: BusEvent): Promise<void>;
}

/** The result of a synchronous Lambda invocation. */
export interface InvokeResult {
  /** The handler's return value, JSON-serialisable, or the error document on failure. */
  payload: unknown;
  /** Set when the function failed: `Unhandled` (as Lambda's X-Amz-Function-Error header). */
  functionError?: 'Unhandled' | 'Handled';
}

/** Lambda, as other services invoke it (EventBridge targets, Step Functions tasks, the API server). */
export interface FunctionInvoker {
  invoke(functionNameOrArn: string, payload: unknown, invocationType?: 'RequestResponse' | 'Event'): Promise<InvokeResult>;
}

/** The local stage's composition recorder, driven by the IVS control plane's StartComposition/StopComposition. */
export interface CompositionRecorder {
  start(args: {
    compositionArn: string;
    stageArn: string;
    /** Where IVS would write: bucket and `recordingPrefix` of the S3 destination. */
    bucketName: string;
    recordingPrefix: string;
  }): Promise<void>;
  stop(compositionArn: string): Promise<void>;
}
