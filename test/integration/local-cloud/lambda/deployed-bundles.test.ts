/**
 * The local cloud runs what CDK deploys: each function's esbuild bundle (not its TypeScript source), with the
 * runtime's JSON log format the CDK sets. A step function given an input it cannot use fails; the stack of
 * its error is in the bundle, and its log stream holds only JSON records: the platform's and the function's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ENV, FUNCTION_NAMES, IVS_COMPOSITION_QUOTA, LAMBDA_LOG_FORMAT, functionSpec } from '#contract/index';
import { startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { BUNDLE_CACHE_DIR } from '#local-cloud/deploy/function-bundles';
import { TEST_CREDENTIALS } from '#test/fixtures/local-cloud/test-credentials';

const RAISED_QUOTA = IVS_COMPOSITION_QUOTA + 4;
let cloud: RunningLocalCloud;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  // The operator's setting: IVS's composition quota, raised.
  cloud = await startLocalCloud({ env: { SHELCASTER_IVS_COMPOSITION_QUOTA: String(RAISED_QUOTA) } });
  const config = { endpoint: cloud.awsEndpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS };
  lambda = new LambdaClient(config);
  logs = new CloudWatchLogsClient(config);
}, 240_000);

afterAll(async () => {
  lambda?.destroy();
  logs?.destroy();
  await cloud?.stop();
});

describe('Deployed functions in the local cloud', () => {
  const functionName = FUNCTION_NAMES.goLive;

  it('run their bundle: a failure’s stack is in the bundle, not in the TypeScript source', async () => {
    const answer = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify({ not: 'a session' }) }));
    const error = JSON.parse(Buffer.from(answer.Payload!).toString()) as { errorType: string; trace?: string[] };

    expect(answer.FunctionError).toBe('Unhandled');
    const frames = (error.trace ?? []).filter((line) => line.trim().startsWith('at '));
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.some((line) => line.includes(`/${BUNDLE_CACHE_DIR}/${functionName}/`) && line.includes('/index.mjs:'))).toBe(true);
    expect(frames.filter((line) => line.includes(functionSpec('goLive').entry) || /\/functions\/.*\.ts:/.test(line))).toEqual([]);
  }, 60_000);

  it('log in the JSON format the CDK sets: platform records and the function’s records, one JSON object a line', async () => {
    expect(LAMBDA_LOG_FORMAT).toBe('JSON');
    const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    expect(configuration.LoggingConfig?.LogFormat).toBe('JSON');

    const events = (await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}` }))).events ?? [];
    const records = events.map((event) => JSON.parse(event.message ?? '') as Record<string, unknown>);
    const types = records.map((record) => record.type).filter(Boolean);
    expect(types).toEqual(expect.arrayContaining(['platform.initStart', 'platform.start', 'platform.runtimeDone', 'platform.report']));
    const start = records.find((record) => record.type === 'platform.start') as { record: { requestId: string } };
    const report = records.find((record) => record.type === 'platform.report') as { record: { requestId: string; status: string; metrics: { durationMs: number } } };
    expect(report.record).toMatchObject({ requestId: start.record.requestId, status: 'error' });
    expect(report.record.metrics.durationMs).toBeGreaterThanOrEqual(0);
    // The runtime's own record of the failure, as the Node.js runtime writes it in the JSON format.
    expect(records).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'Invoke Error', requestId: start.record.requestId }));
  }, 60_000);

  it('give the session-start function the composition quota the local IVS was started with, its cap of live sessions', async () => {
    const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: FUNCTION_NAMES.createSession }));
    expect(configuration.Environment?.Variables?.[ENV.compositionQuota]).toBe(String(RAISED_QUOTA));
  });
});
