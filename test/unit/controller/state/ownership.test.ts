import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OwnershipWatch, ownershipVerdict, ownTaskArn } from '#controller/state/ownership';
import type { ControllerSessionView } from '#controller/state/session-store';
import { silentLogger } from '../test-logger.ts';

const SESSION = '11111111-1111-4111-8111-111111111111';
const MINE = 'arn:aws:ecs:us-east-1:000000000000:task/shelcaster-cluster/aaaa';
const OTHER = 'arn:aws:ecs:us-east-1:000000000000:task/shelcaster-cluster/bbbb';
const record = (overrides: Partial<ControllerSessionView>): ControllerSessionView => ({ sessionId: SESSION, hostId: 'host-1', status: 'LIVE', ...overrides });

describe('ownershipVerdict', () => {
  it('goes on while the record names this task, or still the previous start (this one not recorded yet)', () => {
    expect(ownershipVerdict(record({ taskArn: MINE, controllerGeneration: 2 }), { generation: 2, taskArn: MINE })).toEqual({ current: true });
    expect(ownershipVerdict(record({ taskArn: OTHER, controllerGeneration: 1 }), { generation: 2, taskArn: MINE })).toEqual({ current: true });
  });

  it('stops when a later start is recorded (a replaced task whose stop failed)', () => {
    expect(ownershipVerdict(record({ taskArn: OTHER, controllerGeneration: 3 }), { generation: 2, taskArn: MINE })).toMatchObject({
      current: false,
      why: expect.stringContaining('later controller'),
    });
  });

  it('stops when another task of its own start is recorded (RunTask made twice after a failed recording)', () => {
    expect(ownershipVerdict(record({ taskArn: OTHER, controllerGeneration: 2 }), { generation: 2, taskArn: MINE })).toMatchObject({ current: false });
  });

  it.each(['ENDED', 'FAILED'] as const)('stops when the session is %s', (status) => {
    expect(ownershipVerdict(record({ status, taskArn: MINE, controllerGeneration: 0 }), { generation: 0, taskArn: MINE })).toMatchObject({ current: false });
  });

  it('goes on when it cannot tell: no record, no generation given, or its own task unknown', () => {
    expect(ownershipVerdict(undefined, { generation: 0, taskArn: MINE })).toEqual({ current: true });
    expect(ownershipVerdict(record({ taskArn: OTHER, controllerGeneration: 5 }), { taskArn: MINE })).toEqual({ current: true });
    expect(ownershipVerdict(record({ taskArn: OTHER, controllerGeneration: 2 }), { generation: 2 })).toEqual({ current: true });
  });
});

describe('OwnershipWatch', () => {
  it('calls onLost once when the record stops naming it, and keeps going through a failed read', async () => {
    const readSession = vi
      .fn<() => Promise<ControllerSessionView | undefined>>()
      .mockRejectedValueOnce(new Error('ProvisionedThroughputExceededException'))
      .mockResolvedValueOnce(record({ taskArn: MINE, controllerGeneration: 0 }))
      .mockResolvedValue(record({ taskArn: OTHER, controllerGeneration: 1 }));
    const onLost = vi.fn();
    const watch = new OwnershipWatch({ readSession, me: { generation: 0, taskArn: MINE }, logger: silentLogger(), onLost, intervalMs: 60_000 });
    watch.start();

    expect(await watch.check()).toEqual({ current: true });
    expect(await watch.check()).toEqual({ current: true });
    expect(await watch.check()).toMatchObject({ current: false });
    await watch.check();

    expect(onLost).toHaveBeenCalledOnce();
    expect(onLost).toHaveBeenCalledWith(expect.stringContaining('start 1'));
    watch.stop();
  });
});

describe('ownTaskArn', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/v4/abc/program-controller/task') response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ TaskARN: MINE }));
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('reads TaskARN from the task metadata endpoint (v4)', async () => {
    expect(await ownTaskArn({ ECS_CONTAINER_METADATA_URI_V4: `${base}/v4/abc/program-controller` })).toBe(MINE);
  });

  it('is undefined without an endpoint, or when it does not answer', async () => {
    expect(await ownTaskArn({})).toBeUndefined();
    expect(await ownTaskArn({ ECS_CONTAINER_METADATA_URI_V4: `${base}/v4/unknown/x` })).toBeUndefined();
  });
});
