import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { ASL_FILE } from '#contract/index';
import { createExecutionsPageHandler } from '#local-cloud/pages/executions-page';
import { loadFixture } from '#test/unit/trace/fixtures';

const fixture = loadFixture('ended-by-host');
const machineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:shelcaster-session-lifecycle';
const sfn = mockClient(SFNClient);
let server: Server;
let base: string;

beforeAll(async () => {
  const handler = createExecutionsPageHandler({ sfn: new SFNClient({ region: 'us-east-1' }) });
  server = createServer((req, res) => {
    void Promise.resolve(handler(req, res)).then((handled) => {
      if (!handled) {
        res.writeHead(418);
        res.end('not mine');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  sfn.reset();
  sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [{ name: 'shelcaster-session-lifecycle', stateMachineArn: machineArn, type: 'STANDARD', creationDate: new Date() }] });
  sfn.on(ListExecutionsCommand).resolves({
    executions: [
      {
        executionArn: fixture.execution.executionArn!,
        stateMachineArn: machineArn,
        name: fixture.sessionId,
        status: 'SUCCEEDED',
        startDate: fixture.execution.startDate!,
        stopDate: fixture.execution.stopDate!,
      },
    ],
  });
  sfn.on(DescribeExecutionCommand).resolves({ ...fixture.execution, name: fixture.sessionId, stateMachineArn: machineArn });
  sfn.on(DescribeStateMachineCommand).resolves({ name: 'shelcaster-session-lifecycle', stateMachineArn: machineArn, definition: readFileSync(ASL_FILE, 'utf8') });
  sfn.on(GetExecutionHistoryCommand).resolves({ events: fixture.events });
});

describe('Handler: executions page', () => {
  it('lists the executions with status and times, linking each to its page', async () => {
    const response = await fetch(`${base}/executions`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await response.text();
    expect(html).toContain(`<tr data-execution="${fixture.sessionId}">`);
    expect(html).toContain(`href="/executions/${encodeURIComponent(fixture.execution.executionArn!)}"`);
    expect(html).toContain('status-SUCCEEDED');
    expect(html).not.toContain('http-equiv="refresh"');
  });

  it('shows one execution found by name: graph, legend and one history row per event, without execution data', async () => {
    const html = await (await fetch(`${base}/executions/${fixture.sessionId}`)).text();
    expect(html).toContain('data-state="OnAir" data-status="succeeded"');
    expect(html.match(/<tr[^>]* data-type="/g)).toHaveLength(fixture.events.length);
    expect(sfn).toReceiveCommandWith(GetExecutionHistoryCommand, { includeExecutionData: false });
    expect(sfn).toReceiveCommandWith(DescribeExecutionCommand, { executionArn: fixture.execution.executionArn });
  });

  it('refreshes the page of a running execution', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ ...fixture.execution, status: 'RUNNING', stopDate: undefined, stateMachineArn: machineArn });
    const html = await (await fetch(`${base}/executions/${encodeURIComponent(fixture.execution.executionArn!)}`)).text();
    expect(html).toContain('<meta http-equiv="refresh" content="2">');
  });

  it('answers 404 for an execution that does not exist', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));
    const response = await fetch(`${base}/executions/${encodeURIComponent(`${machineArn.replace('stateMachine', 'execution')}:nope`)}`);
    expect(response.status).toBe(404);
    expect(await fetch(`${base}/executions/unknown-name`).then((r) => r.status)).toBe(404);
  });

  it('answers 502 without internals when Step Functions fails', async () => {
    sfn.on(ListStateMachinesCommand).rejects(Object.assign(new Error('socket hang up at 10.0.0.1'), { name: 'ServiceUnavailable' }));
    const response = await fetch(`${base}/executions`);
    expect(response.status).toBe(502);
    expect(await response.text()).not.toContain('10.0.0.1');
  });

  it('leaves every other path and method to the next handler', async () => {
    expect((await fetch(`${base}/podcast`)).status).toBe(418);
    expect((await fetch(`${base}/executionsX`)).status).toBe(418);
    expect((await fetch(`${base}/executions`, { method: 'POST' })).status).toBe(418);
  });
});
