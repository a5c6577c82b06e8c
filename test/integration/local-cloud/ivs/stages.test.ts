import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CreateStageCommand,
  DeleteStageCommand,
  GetStageCommand,
  ListStagesCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  ValidationException,
} from '@aws-sdk/client-ivs-realtime';
import { startIvs, type IvsFixture } from './ivs-fixture.ts';

const STAGE_ARN = /^arn:aws:ivs:us-east-1:000000000000:stage\/[a-zA-Z0-9]{12}$/;

describe('Local IVS real-time: stages through @aws-sdk/client-ivs-realtime', () => {
  let ivs: IvsFixture;
  beforeEach(async () => {
    ivs = await startIvs();
  });
  afterEach(async () => {
    await ivs.stop();
    ivs.remove();
  });

  it('creates a stage with an IVS ARN, its tags and the local stage endpoints', async () => {
    const { stage, participantTokens } = await ivs.client.send(
      new CreateStageCommand({ name: 'show-1', tags: { 'shelcaster:sessionId': 'abc' } }),
    );
    expect(stage?.arn).toMatch(STAGE_ARN);
    expect(stage?.name).toBe('show-1');
    expect(stage?.tags).toEqual({ 'shelcaster:sessionId': 'abc' });
    expect(stage?.endpoints).toEqual({ whip: 'http://127.0.0.1:4566/_stage/whip', events: 'ws://127.0.0.1:4566/_stage/events' });
    expect(participantTokens).toEqual([]);
  });

  it('issues the tokens of participantTokenConfigurations with the stage', async () => {
    const { participantTokens } = await ivs.client.send(
      new CreateStageCommand({ participantTokenConfigurations: [{ userId: 'host', capabilities: ['PUBLISH'] }, { duration: 5 }] }),
    );
    expect(participantTokens).toHaveLength(2);
    expect(participantTokens?.[0]).toMatchObject({ userId: 'host', capabilities: ['PUBLISH'], duration: 720 });
    expect(participantTokens?.[1]).toMatchObject({ duration: 5, capabilities: ['PUBLISH', 'SUBSCRIBE'] });
  });

  it('gets a stage and lists stages with pagination', async () => {
    const arns: string[] = [];
    for (const name of ['a', 'b', 'c']) arns.push((await ivs.client.send(new CreateStageCommand({ name }))).stage!.arn!);
    const got = await ivs.client.send(new GetStageCommand({ arn: arns[1] }));
    expect(got.stage).toMatchObject({ arn: arns[1], name: 'b' });

    const first = await ivs.client.send(new ListStagesCommand({ maxResults: 2 }));
    expect(first.stages?.map((s) => s.name)).toEqual(['a', 'b']);
    expect(first.nextToken).toBeTruthy();
    const second = await ivs.client.send(new ListStagesCommand({ maxResults: 2, nextToken: first.nextToken }));
    expect(second.stages?.map((s) => s.arn)).toEqual([arns[2]]);
    expect(second.nextToken).toBeUndefined();
  });

  it('deletes a stage, after which GetStage and DeleteStage answer ResourceNotFoundException', async () => {
    const arn = (await ivs.client.send(new CreateStageCommand({}))).stage!.arn!;
    await ivs.client.send(new DeleteStageCommand({ arn }));
    const error = await ivs.client.send(new GetStageCommand({ arn })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    await expect(ivs.client.send(new DeleteStageCommand({ arn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect((await ivs.client.send(new ListStagesCommand({}))).stages).toEqual([]);
  });

  it('refuses a bad stage name and a malformed ARN with ValidationException and a message', async () => {
    const badName = await ivs.client.send(new CreateStageCommand({ name: 'no spaces allowed' })).catch((e: unknown) => e);
    expect(badName).toBeInstanceOf(ValidationException);
    expect((badName as ValidationException).$metadata.httpStatusCode).toBe(400);
    expect((badName as ValidationException).exceptionMessage).toMatch(/name/);
    const badArn = await ivs.client.send(new GetStageCommand({ arn: 'arn:aws:ivs:us-east-1:000000000000:channel/abc' })).catch((e: unknown) => e);
    expect(badArn).toBeInstanceOf(ValidationException);
  });

  it('tags, lists and untags a stage through /tags/{resourceArn}', async () => {
    const arn = (await ivs.client.send(new CreateStageCommand({ tags: { a: '1' } }))).stage!.arn!;
    await ivs.client.send(new TagResourceCommand({ resourceArn: arn, tags: { b: '2' } }));
    expect((await ivs.client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({ a: '1', b: '2' });
    await ivs.client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] }));
    expect((await ivs.client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({ b: '2' });
  });

  it('keeps stages across a restart on the same data dir', async () => {
    const arn = (await ivs.client.send(new CreateStageCommand({ name: 'durable' }))).stage!.arn!;
    await ivs.stop();
    const again = await startIvs({ dataDir: ivs.dataDir });
    try {
      expect((await again.client.send(new GetStageCommand({ arn }))).stage?.name).toBe('durable');
    } finally {
      await again.stop();
    }
    ivs = { ...again, stop: async () => {} };
  });
});
