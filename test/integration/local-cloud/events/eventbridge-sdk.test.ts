import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  InvalidEventPatternException,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { startGateway, type Gateway } from '#local-cloud/gateway/server';
import { LambdaProvider } from '#local-cloud/services/lambda/provider';
import { EventsProvider } from '#local-cloud/services/events/provider';
import { RecordingLogSink } from '#test/fixtures/local-cloud/recording-log-sink';
import { TEST_CREDENTIALS } from '#test/fixtures/local-cloud/test-credentials';

const RECORDER_ENTRY = fileURLToPath(new URL('../../../fixtures/local-cloud/lambda/event-recorder.ts', import.meta.url));
const RECORDER_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:recorder';

describe('EventBridge through the SDK v3 client', () => {
  const logs = new RecordingLogSink();
  const lambda = new LambdaProvider({ logs });
  const events = new EventsProvider({ invoker: lambda });
  let gateway: Gateway;
  let client: EventBridgeClient;

  beforeAll(async () => {
    lambda.register({ functionName: 'recorder', entry: RECORDER_ENTRY, environment: {}, timeoutSeconds: 5, memoryMiB: 128 });
    gateway = await startGateway({ port: 0, providers: [events, lambda] });
    client = new EventBridgeClient({ endpoint: gateway.url, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  });
  afterAll(async () => {
    client.destroy();
    await gateway.close();
  });

  it('creates a rule with a target and delivers matching events to the function', async () => {
    const pattern = JSON.stringify({ source: ['shelcaster.it'], detail: { level: [{ numeric: ['>=', 3] }] } });
    const { RuleArn } = await client.send(new PutRuleCommand({ Name: 'it-rule', EventPattern: pattern }));
    expect(RuleArn).toBe('arn:aws:events:us-east-1:000000000000:rule/it-rule');
    expect(await client.send(new DescribeRuleCommand({ Name: 'it-rule' }))).toMatchObject({ Name: 'it-rule', EventPattern: pattern, State: 'ENABLED' });
    expect((await client.send(new ListRulesCommand({ NamePrefix: 'it-' }))).Rules?.map((rule) => rule.Name)).toEqual(['it-rule']);
    await client.send(new PutTargetsCommand({ Rule: 'it-rule', Targets: [{ Id: 'recorder', Arn: RECORDER_ARN, InputPath: '$.detail' }] }));
    expect((await client.send(new ListTargetsByRuleCommand({ Rule: 'it-rule' }))).Targets).toEqual([{ Id: 'recorder', Arn: RECORDER_ARN, InputPath: '$.detail' }]);

    const put = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'shelcaster.it', DetailType: 'Level', Detail: JSON.stringify({ level: 5 }), Time: new Date('2026-01-01T00:00:00Z') },
          { Source: 'shelcaster.it', DetailType: 'Level', Detail: JSON.stringify({ level: 1 }) },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    expect(put.Entries?.every((entry) => typeof entry.EventId === 'string')).toBe(true);
    await events.drain();
    await lambda.drain();
    const received = logs.messages('/aws/lambda/recorder').filter((line) => line.includes('\tINFO\tEVENT '));
    expect(received).toHaveLength(1);
    expect(received[0]).toMatch(/EVENT \{"level":5\}$/);
  });

  it('answers InvalidEventPatternException and ResourceNotFoundException as the SDK expects', async () => {
    await expect(client.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source":"x"}' }))).rejects.toBeInstanceOf(InvalidEventPatternException);
    await expect(client.send(new DescribeRuleCommand({ Name: 'missing' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
