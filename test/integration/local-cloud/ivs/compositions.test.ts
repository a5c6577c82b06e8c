import { afterEach, describe, expect, it } from 'vitest';
import {
  ConflictException,
  CreateEncoderConfigurationCommand,
  CreateStageCommand,
  CreateStorageConfigurationCommand,
  DeleteStageCommand,
  DeleteStorageConfigurationCommand,
  GetCompositionCommand,
  GetStorageConfigurationCommand,
  GetEncoderConfigurationCommand,
  ListCompositionsCommand,
  ResourceNotFoundException,
  StartCompositionCommand,
  StopCompositionCommand,
  ValidationException,
  type IVSRealTimeClient,
} from '@aws-sdk/client-ivs-realtime';
import type { BusEvent, CompositionRecorder, EventPublisher } from '#local-cloud/gateway/internal';
import { startIvs, type IvsFixture } from './ivs-fixture.ts';

/** A recorder that records its calls; `stop` waits for `releaseStop()` when `holdStop` is set. */
class FakeRecorder implements CompositionRecorder {
  readonly calls: string[] = [];
  readonly started: Parameters<CompositionRecorder['start']>[0][] = [];
  failStart = false;
  holdStop = false;
  private release: (() => void) | undefined;
  releaseStop(): void {
    this.release?.();
  }
  async start(args: Parameters<CompositionRecorder['start']>[0]): Promise<void> {
    this.calls.push(`start ${args.compositionArn}`);
    if (this.failStart) throw new Error('mixer unavailable');
    this.started.push(args);
  }
  async stop(compositionArn: string): Promise<void> {
    this.calls.push(`stop ${compositionArn}`);
    if (this.holdStop) await new Promise<void>((resolve) => (this.release = resolve));
  }
}

class FakeBus implements EventPublisher {
  readonly events: BusEvent[] = [];
  async publish(event: BusEvent): Promise<void> {
    this.events.push(event);
  }
}

async function setUp(client: IVSRealTimeClient) {
  const stageArn = (await client.send(new CreateStageCommand({ name: 'show' }))).stage!.arn!;
  const storage = await client.send(new CreateStorageConfigurationCommand({ name: 'media', s3: { bucketName: 'shelcaster-media-000000000000-us-east-1' } }));
  const encoder = await client.send(new CreateEncoderConfigurationCommand({ name: 'audio', video: { width: 640, height: 360, framerate: 15, bitrate: 500_000 } }));
  return { stageArn, storageArn: storage.storageConfiguration!.arn!, encoderArn: encoder.encoderConfiguration!.arn! };
}

describe('Local IVS real-time: compositions', () => {
  let ivs: IvsFixture;
  afterEach(async () => {
    await ivs.stop();
    ivs.remove();
  });

  it('keeps storage and encoder configurations with IVS ARNs and defaults', async () => {
    ivs = await startIvs();
    const { storageArn, encoderArn } = await setUp(ivs.client);
    expect(storageArn).toMatch(/^arn:aws:ivs:us-east-1:000000000000:storage-configuration\/[a-zA-Z0-9]{12}$/);
    expect(encoderArn).toMatch(/^arn:aws:ivs:us-east-1:000000000000:encoder-configuration\/[a-zA-Z0-9]{12}$/);
    expect((await ivs.client.send(new GetStorageConfigurationCommand({ arn: storageArn }))).storageConfiguration?.s3?.bucketName).toBe(
      'shelcaster-media-000000000000-us-east-1',
    );
    expect((await ivs.client.send(new GetEncoderConfigurationCommand({ arn: encoderArn }))).encoderConfiguration?.video).toEqual({
      width: 640,
      height: 360,
      framerate: 15,
      bitrate: 500_000,
    });
  });

  it('starts a composition STARTING, records it under its recordingPrefix, goes ACTIVE, then STOPPING and STOPPED', async () => {
    const recorder = new FakeRecorder();
    const bus = new FakeBus();
    ivs = await startIvs({ recorder, events: bus });
    const { stageArn, storageArn, encoderArn } = await setUp(ivs.client);

    const { composition } = await ivs.client.send(
      new StartCompositionCommand({
        stageArn,
        idempotencyToken: 'session-1',
        destinations: [{ s3: { storageConfigurationArn: storageArn, encoderConfigurationArns: [encoderArn], recordingConfiguration: { format: 'HLS' } } }],
        tags: { 'shelcaster:sessionId': 'abc' },
      }),
    );
    expect(composition?.arn).toMatch(/^arn:aws:ivs:us-east-1:000000000000:composition\/[a-zA-Z0-9]{12}$/);
    expect(composition?.state).toBe('STARTING');
    expect(composition?.startTime).toBeInstanceOf(Date);
    const destination = composition!.destinations![0]!;
    const stageId = stageArn.split('/')[1];
    const compositionId = composition!.arn!.split('/')[1];
    expect(destination.detail?.s3?.recordingPrefix).toBe(`${stageId}/${compositionId}/${destination.id}/composite`);

    await ivs.provider.settled();
    const active = (await ivs.client.send(new GetCompositionCommand({ arn: composition!.arn }))).composition!;
    expect(active.state).toBe('ACTIVE');
    expect(active.destinations?.[0]?.state).toBe('ACTIVE');
    expect(recorder.started).toEqual([
      { compositionArn: composition!.arn, stageArn, bucketName: 'shelcaster-media-000000000000-us-east-1', recordingPrefix: destination.detail!.s3!.recordingPrefix },
    ]);

    recorder.holdStop = true;
    await ivs.client.send(new StopCompositionCommand({ arn: composition!.arn }));
    expect((await ivs.client.send(new GetCompositionCommand({ arn: composition!.arn }))).composition?.state).toBe('STOPPING');
    recorder.releaseStop();
    await ivs.provider.settled();
    const stopped = (await ivs.client.send(new GetCompositionCommand({ arn: composition!.arn }))).composition!;
    expect(stopped.state).toBe('STOPPED');
    expect(stopped.endTime).toBeInstanceOf(Date);
    expect(recorder.calls).toEqual([`start ${composition!.arn}`, `stop ${composition!.arn}`]);

    expect(bus.events.map((e) => [e.source, e.detailType, e.detail.event_name, e.resources?.[0]])).toEqual([
      ['aws.ivs', 'IVS Composition State Change', 'Session Start', composition!.arn],
      ['aws.ivs', 'IVS Composition State Change', 'Destination Start', composition!.arn],
      ['aws.ivs', 'IVS Composition State Change', 'Destination End', composition!.arn],
      ['aws.ivs', 'IVS Composition State Change', 'Session End', composition!.arn],
    ]);
    expect(bus.events[0]?.detail.stage_arn).toBe(stageArn);
  });

  it('answers a repeated idempotencyToken with the same composition', async () => {
    ivs = await startIvs();
    const { stageArn, storageArn, encoderArn } = await setUp(ivs.client);
    const input = {
      stageArn,
      idempotencyToken: 'same',
      destinations: [{ s3: { storageConfigurationArn: storageArn, encoderConfigurationArns: [encoderArn] } }],
    };
    const first = await ivs.client.send(new StartCompositionCommand(input));
    const second = await ivs.client.send(new StartCompositionCommand(input));
    expect(second.composition?.arn).toBe(first.composition?.arn);
    expect((await ivs.client.send(new ListCompositionsCommand({ filterByStageArn: stageArn }))).compositions).toHaveLength(1);
  });

  it('moves compositions through their states without a recorder', async () => {
    ivs = await startIvs();
    const { stageArn, storageArn, encoderArn } = await setUp(ivs.client);
    const { composition } = await ivs.client.send(
      new StartCompositionCommand({ stageArn, destinations: [{ s3: { storageConfigurationArn: storageArn, encoderConfigurationArns: [encoderArn] } }] }),
    );
    await ivs.provider.settled();
    expect((await ivs.client.send(new GetCompositionCommand({ arn: composition!.arn }))).composition?.state).toBe('ACTIVE');
  });

  it('stops the active composition of a deleted stage', async () => {
    const recorder = new FakeRecorder();
    ivs = await startIvs({ recorder });
    const { stageArn, storageArn, encoderArn } = await setUp(ivs.client);
    const { composition } = await ivs.client.send(
      new StartCompositionCommand({ stageArn, destinations: [{ s3: { storageConfigurationArn: storageArn, encoderConfigurationArns: [encoderArn] } }] }),
    );
    await ivs.provider.settled();
    await ivs.client.send(new DeleteStageCommand({ arn: stageArn }));
    await ivs.provider.settled();
    expect((await ivs.client.send(new GetCompositionCommand({ arn: composition!.arn }))).composition?.state).toBe('STOPPED');
    expect(recorder.calls.at(-1)).toBe(`stop ${composition!.arn}`);
  });

  it('marks a composition FAILED and publishes Session Failure when the recorder cannot start', async () => {
    const recorder = new FakeRecorder();
    recorder.failStart = true;
    const bus = new FakeBus();
    ivs = await startIvs({ recorder, events: bus });
    const { stageArn, storageArn, encoderArn } = await setUp(ivs.client);
    const { composition } = await ivs.client.send(
      new StartCompositionCommand({ stageArn, destinations: [{ s3: { storageConfigurationArn: storageArn, encoderConfigurationArns: [encoderArn] } }] }),
    );
    await ivs.provider.settled();
    expect((await ivs.client.send(new GetCompositionCommand({ arn: composition!.arn }))).composition?.state).toBe('FAILED');
    expect(bus.events.map((e) => e.detail.event_name)).toEqual(['Destination Failure', 'Session Failure']);
  });

  it('refuses to delete a storage configuration a running composition uses (ConflictException)', async () => {
    ivs = await startIvs();
    const { stageArn, storageArn, encoderArn } = await setUp(ivs.client);
    await ivs.client.send(
      new StartCompositionCommand({ stageArn, destinations: [{ s3: { storageConfigurationArn: storageArn, encoderConfigurationArns: [encoderArn] } }] }),
    );
    await expect(ivs.client.send(new DeleteStorageConfigurationCommand({ arn: storageArn }))).rejects.toBeInstanceOf(ConflictException);
  });

  it('refuses bad StartComposition requests as IVS does', async () => {
    ivs = await startIvs();
    const { stageArn, storageArn, encoderArn } = await setUp(ivs.client);
    await expect(ivs.client.send(new StartCompositionCommand({ stageArn, destinations: [] }))).rejects.toBeInstanceOf(ValidationException);
    await expect(
      ivs.client.send(new StartCompositionCommand({ stageArn, destinations: [{ s3: { storageConfigurationArn: storageArn, encoderConfigurationArns: [] } }] })),
    ).rejects.toBeInstanceOf(ValidationException);
    const missingStorage = storageArn.replace(/[^/]+$/, 'BBBBBBBBBBBB');
    await expect(
      ivs.client.send(new StartCompositionCommand({ stageArn, destinations: [{ s3: { storageConfigurationArn: missingStorage, encoderConfigurationArns: [encoderArn] } }] })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    const missingStage = stageArn.replace(/[^/]+$/, 'CCCCCCCCCCCC');
    await expect(
      ivs.client.send(new StartCompositionCommand({ stageArn: missingStage, destinations: [{ s3: { storageConfigurationArn: storageArn, encoderConfigurationArns: [encoderArn] } }] })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(ivs.client.send(new GetCompositionCommand({ arn: stageArn.replace(':stage/', ':composition/') }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('resumes an ACTIVE composition on the recorder after a restart', async () => {
    ivs = await startIvs({ recorder: new FakeRecorder() });
    const { stageArn, storageArn, encoderArn } = await setUp(ivs.client);
    const { composition } = await ivs.client.send(
      new StartCompositionCommand({ stageArn, destinations: [{ s3: { storageConfigurationArn: storageArn, encoderConfigurationArns: [encoderArn] } }] }),
    );
    await ivs.provider.settled();
    await ivs.stop();
    const recorder = new FakeRecorder();
    const again = await startIvs({ dataDir: ivs.dataDir, recorder });
    ivs = { ...again, remove: ivs.remove };
    await again.provider.settled();
    expect(recorder.calls).toEqual([`start ${composition!.arn}`]);
    await again.client.send(new StopCompositionCommand({ arn: composition!.arn }));
    await again.provider.settled();
    expect(recorder.calls).toEqual([`start ${composition!.arn}`, `stop ${composition!.arn}`]);
  });
});
