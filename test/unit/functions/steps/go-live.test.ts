import '../support/env.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { GetCompositionCommand, IVSRealTimeClient, StartCompositionCommand } from '@aws-sdk/client-ivs-realtime';
import { handler } from '../../../../functions/steps/go-live.ts';
import { goLive } from '#commons/actions/go-live';
import { lambdaContext } from '#test/fixtures/events/lambda-context';
import { TEST_ENV } from '../support/env.ts';
import { COMPOSITION_ARN, SESSION_ID, STAGE_ARN, sessionItem } from '../support/sessions.ts';

const documents = mockClient(DynamoDBDocumentClient);
const ivs = mockClient(IVSRealTimeClient);

const RECORDING_PREFIX = `recordings/${SESSION_ID}/q9vXxAbCdEfG/Xy12Ab34Cd56`;

beforeEach(() => {
  documents.reset();
  ivs.reset();
  documents.on(GetCommand).resolves({ Item: sessionItem({ status: 'STARTING' }) });
  documents.on(UpdateCommand).callsFake((input: { ExpressionAttributeValues: Record<string, unknown> }) => ({
    Attributes: sessionItem({ status: 'LIVE', endsAt: input.ExpressionAttributeValues[':n1'] as string | undefined }),
  }));
  ivs.on(StartCompositionCommand).resolves({
    composition: {
      arn: COMPOSITION_ARN,
      stageArn: STAGE_ARN,
      state: 'STARTING',
      layout: {},
      destinations: [{ id: 'd1', state: 'STARTING', configuration: {}, detail: { s3: { recordingPrefix: RECORDING_PREFIX } } }],
    },
  });
});

describe('Step: go-live', () => {
  it('starts the S3 recording composition, records it, marks the session LIVE and returns the time on air', async () => {
    const output = await handler({ sessionId: SESSION_ID, maxShowSeconds: 3600 }, lambdaContext);

    expect(output).toEqual({ compositionArn: COMPOSITION_ARN, onAirTimeoutSeconds: 3600, endsAt: expect.any(String) });
    expect(ivs).toReceiveCommandWith(StartCompositionCommand, {
      stageArn: STAGE_ARN,
      destinations: [
        {
          s3: {
            storageConfigurationArn: TEST_ENV.IVS_STORAGE_CONFIGURATION_ARN,
            encoderConfigurationArns: [TEST_ENV.IVS_ENCODER_CONFIGURATION_ARN],
            recordingConfiguration: { format: 'HLS' },
          },
        },
      ],
    });
    expect(documents).toReceiveCommandWith(UpdateCommand, {
      UpdateExpression: expect.stringContaining('list_append(if_not_exists(#recordings, :none), :recording)'),
      ExpressionAttributeValues: expect.objectContaining({
        ':arn': COMPOSITION_ARN,
        ':prefix': RECORDING_PREFIX,
        ':recording': [{ compositionArn: COMPOSITION_ARN, recordingPrefix: RECORDING_PREFIX, startedAt: expect.any(String) }],
      }),
    });
    expect(documents).toReceiveCommandWith(UpdateCommand, {
      UpdateExpression: expect.stringContaining('if_not_exists(#n0, :n0)'),
      ExpressionAttributeValues: expect.objectContaining({ ':f0': 'LIVE' }),
    });
  });

  it('keeps a running composition and the first end time after a controller replacement', async () => {
    const endsAt = '2026-11-24T10:00:00.000Z';
    documents.on(GetCommand).resolves({ Item: sessionItem({ compositionArn: COMPOSITION_ARN, liveAt: '2026-11-24T09:00:00.000Z', endsAt }) });
    documents.on(UpdateCommand).resolves({ Attributes: sessionItem({ status: 'LIVE', endsAt }) });
    ivs.on(GetCompositionCommand).resolves({ composition: { arn: COMPOSITION_ARN, stageArn: STAGE_ARN, state: 'ACTIVE', layout: {}, destinations: [] } });

    const output = await goLive(SESSION_ID, 3600, () => new Date('2026-11-24T09:40:00.500Z'));

    expect(output).toEqual({ compositionArn: COMPOSITION_ARN, onAirTimeoutSeconds: 20 * 60, endsAt });
    expect(ivs).not.toHaveReceivedCommand(StartCompositionCommand);
  });

  it('starts a new composition when the recorded one stopped, adding a part and keeping the earlier one', async () => {
    const old = { compositionArn: 'arn:aws:ivs:us-east-1:123456789012:composition/Old', recordingPrefix: 'old/prefix', startedAt: '2026-11-24T08:00:00.000Z' };
    documents.on(GetCommand).resolves({ Item: sessionItem({ compositionArn: old.compositionArn, recordingPrefix: old.recordingPrefix, recordings: [old] }) });
    ivs.on(GetCompositionCommand).resolves({ composition: { arn: 'old', stageArn: STAGE_ARN, state: 'STOPPED', layout: {}, destinations: [] } });

    await handler({ sessionId: SESSION_ID, maxShowSeconds: 3600 }, lambdaContext);

    expect(ivs).toHaveReceivedCommandTimes(StartCompositionCommand, 1);
    const recorded = documents.commandCalls(UpdateCommand).map((c) => c.args[0].input).find((input) => input.UpdateExpression?.includes('#recordings'));
    expect(recorded).toMatchObject({
      UpdateExpression: expect.stringMatching(/^SET #recordings = list_append\(if_not_exists\(#recordings, :none\), :recording\)/),
      // A retry of the same composition adds nothing.
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#arn) OR #arn <> :arn)',
      ExpressionAttributeValues: expect.objectContaining({ ':recording': [expect.objectContaining({ compositionArn: COMPOSITION_ARN, recordingPrefix: RECORDING_PREFIX })] }),
    });
  });

  it('never answers less than one second on air', async () => {
    documents.on(UpdateCommand).resolves({ Attributes: sessionItem({ status: 'LIVE', endsAt: '2026-11-24T09:00:00.000Z' }) });

    const output = await goLive(SESSION_ID, 3600, () => new Date('2026-11-24T09:30:00.000Z'));

    expect(output.onAirTimeoutSeconds).toBe(1);
  });

  it('throws Shelcaster.SessionEnded when the host asked to end, before or while going live', async () => {
    documents.on(GetCommand).resolves({ Item: sessionItem({ endRequested: true }) });
    await expect(handler({ sessionId: SESSION_ID, maxShowSeconds: 3600 }, lambdaContext)).rejects.toMatchObject({ name: 'Shelcaster.SessionEnded' });
    expect(ivs).not.toHaveReceivedAnyCommand();

    documents.on(GetCommand).resolves({ Item: sessionItem({ compositionArn: COMPOSITION_ARN }) });
    ivs.on(GetCompositionCommand).resolves({ composition: { arn: COMPOSITION_ARN, stageArn: STAGE_ARN, state: 'ACTIVE', layout: {}, destinations: [] } });
    documents.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await expect(handler({ sessionId: SESSION_ID, maxShowSeconds: 3600 }, lambdaContext)).rejects.toMatchObject({ name: 'Shelcaster.SessionEnded' });
  });

  it('refuses an input without maxShowSeconds', async () => {
    await expect(handler({ sessionId: SESSION_ID }, lambdaContext)).rejects.toMatchObject({ name: 'StepFailedError' });
  });
});
