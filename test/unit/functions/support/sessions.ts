/** Session and command records as the table holds them, for the function tests. */
import { commandKey, sessionKey, type CommandRecord, type SessionRecord } from '#contract/index';

export const HOST_ID = 'b2c1d9e0-host-4a7e-9c33-6f1f0c2a9e11';
export const OTHER_HOST_ID = 'f00dfeed-othr-4b1e-8d22-1a2b3c4d5e6f';
export const SESSION_ID = '3f2b8c1e-6d4a-4f7b-9a0e-2c5d8e1f4a7b';
export const COMMAND_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
export const EXECUTION_ARN = `arn:aws:states:us-east-1:123456789012:execution:shelcaster-session-lifecycle:${SESSION_ID}`;
export const STAGE_ARN = 'arn:aws:ivs:us-east-1:123456789012:stage/q9vXxAbCdEfG';
export const QUEUE_URL = `https://sqs.us-east-1.amazonaws.com/123456789012/shelcaster-program-commands-${SESSION_ID}.fifo`;
export const TASK_ARN = 'arn:aws:ecs:us-east-1:123456789012:task/shelcaster-cluster/0f1e2d3c4b5a69788796a5b4c3d2e1f0';
export const COMPOSITION_ARN = 'arn:aws:ivs:us-east-1:123456789012:composition/Xy12Ab34Cd56';

/** A session record; override what the test needs. */
export function sessionRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId: SESSION_ID,
    hostId: HOST_ID,
    title: 'Morning show',
    status: 'LIVE',
    createdAt: '2026-11-24T08:00:00.000Z',
    updatedAt: '2026-11-24T08:01:00.000Z',
    executionArn: EXECUTION_ARN,
    stageArn: STAGE_ARN,
    queueUrl: QUEUE_URL,
    taskArn: TASK_ARN,
    ...overrides,
  };
}

/** The item DynamoDB returns for a session record. */
export const sessionItem = (overrides: Partial<SessionRecord> = {}) => {
  const record = sessionRecord(overrides);
  return { ...sessionKey(record.sessionId), ...record };
};

/** The item DynamoDB returns for a command record. */
export function commandItem(overrides: Partial<CommandRecord> = {}) {
  const record: CommandRecord = {
    sessionId: SESSION_ID,
    commandId: COMMAND_ID,
    command: { type: 'SET_VOLUME', volume: 0.5 },
    status: 'QUEUED',
    acceptedAt: '2026-11-24T08:05:00.000Z',
    ...overrides,
  };
  return { ...commandKey(record.sessionId, record.commandId), ...record };
}
