/**
 * Decides, from an execution's history read newest first, whether a callback state (sqs:sendMessage
 * .waitForTaskToken) is waiting right now, and with which task token. The latest TaskScheduled decides,
 * unless a task-closing event or the end of the execution comes after it.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { CALLBACK_KINDS, type CallbackKind } from '#contract/index';

/** The open callback: its kind (READY or ON_AIR) and the token to answer it with. Never log the token. */
export interface OpenCallback {
  kind: CallbackKind;
  taskToken: string;
  /** Id of the TaskScheduled event. */
  scheduledEventId: number;
}

/** What the newest events say: a callback is open, nothing is open, or these events do not tell yet. */
export type CallbackSearch = { decided: true; callback?: OpenCallback } | { decided: false };

const TASK_CLOSING_EVENTS = new Set(['TaskSucceeded', 'TaskFailed', 'TaskTimedOut', 'TaskStartFailed', 'TaskSubmitFailed']);
const EXECUTION_CLOSING_EVENTS = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);
const CALLBACK_RESOURCE = /\.waitForTaskToken$/;

/** Looks through events (newest first) for the open callback. */
export function findOpenCallback(eventsNewestFirst: readonly HistoryEvent[]): CallbackSearch {
  for (const event of eventsNewestFirst) {
    const type = event.type ?? '';
    if (EXECUTION_CLOSING_EVENTS.has(type) || TASK_CLOSING_EVENTS.has(type)) return { decided: true };
    if (type !== 'TaskScheduled') continue;
    const details = event.taskScheduledEventDetails;
    if (!details || !CALLBACK_RESOURCE.test(details.resource ?? '')) return { decided: true };
    const callback = callbackOfParameters(details.parameters);
    if (!callback) return { decided: true };
    return { decided: true, callback: { ...callback, scheduledEventId: event.id ?? 0 } };
  }
  return { decided: false };
}

/** Reads kind and token from a TaskScheduled's parameters; MessageBody may be an object or a JSON string. */
export function callbackOfParameters(parameters: string | undefined): Omit<OpenCallback, 'scheduledEventId'> | undefined {
  const params = parseJson(parameters);
  if (!isRecord(params)) return undefined;
  const raw = params.MessageBody;
  const body = typeof raw === 'string' ? parseJson(raw) : raw;
  if (!isRecord(body)) return undefined;
  const { taskToken, callback } = body;
  if (typeof taskToken !== 'string' || taskToken === '') return undefined;
  const kind = (CALLBACK_KINDS as readonly unknown[]).includes(callback) ? (callback as CallbackKind) : undefined;
  return kind ? { kind, taskToken } : undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
