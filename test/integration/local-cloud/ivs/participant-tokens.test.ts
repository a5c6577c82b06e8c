import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CreateParticipantTokenCommand, CreateStageCommand, DeleteStageCommand, DisconnectParticipantCommand, ResourceNotFoundException, ValidationException } from '@aws-sdk/client-ivs-realtime';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { ParticipantTokenSigner } from '#local-cloud/services/ivs/tokens';
import { InvalidParticipantTokenError } from '#local-cloud/services/ivs/provider';
import { claimsOf, signWithLocalKey } from '#test/fixtures/stage/local-signed-token';
import { startIvs, type IvsFixture } from './ivs-fixture.ts';

describe('Local IVS real-time: CreateParticipantToken', () => {
  let ivs: IvsFixture;
  let clock: Date;
  let stageArn: string;
  beforeEach(async () => {
    clock = new Date('2026-11-02T10:00:00Z');
    ivs = await startIvs({ now: () => clock });
    stageArn = (await ivs.client.send(new CreateStageCommand({ name: 'show' }))).stage!.arn!;
  });
  afterEach(async () => {
    await ivs.stop();
    ivs.remove();
  });

  it('returns a participant token whose JWT carries the claims IVS puts in it, signed ES384', async () => {
    const { participantToken } = await ivs.client.send(
      new CreateParticipantTokenCommand({ stageArn, userId: 'host-1', attributes: { displayName: 'Ann' }, capabilities: ['PUBLISH'], duration: 60 }),
    );
    expect(participantToken).toMatchObject({ userId: 'host-1', attributes: { displayName: 'Ann' }, capabilities: ['PUBLISH'], duration: 60 });
    expect(participantToken?.participantId).toMatch(/^[a-zA-Z0-9]{12}$/);
    expect(participantToken?.expirationTime).toEqual(new Date('2026-11-02T11:00:00Z'));

    const token = participantToken!.token!;
    expect(decodeProtectedHeader(token).alg).toBe('ES384');
    const signer = await ParticipantTokenSigner.open(ivs.dataDir);
    const { payload } = await jwtVerify(token, await importJWK(signer.publicJwk, 'ES384'), { currentDate: clock });
    expect(payload).toMatchObject({
      topic: stageArn.split('/')[1],
      resource: stageArn,
      jti: participantToken!.participantId,
      whip_url: 'http://127.0.0.1:4566/_stage/whip',
      events_url: 'ws://127.0.0.1:4566/_stage/events',
      capabilities: { allow_publish: true, allow_subscribe: false },
      attributes: { displayName: 'Ann' },
      user_id: 'host-1',
      iat: clock.getTime() / 1000,
      exp: clock.getTime() / 1000 + 3600,
    });
  });

  it('defaults to 720 minutes and both capabilities', async () => {
    const { participantToken } = await ivs.client.send(new CreateParticipantTokenCommand({ stageArn }));
    expect(participantToken).toMatchObject({ duration: 720, capabilities: ['PUBLISH', 'SUBSCRIBE'] });
  });

  it.each([
    ['a duration of 0', { duration: 0 }, /duration/],
    ['a duration above 20160 minutes', { duration: 20_161 }, /duration/],
    ['an unknown capability', { capabilities: ['RECORD'] }, /capabilities/],
    ['a userId longer than 128 characters', { userId: 'u'.repeat(129) }, /userId/],
    ['attributes above 1 KB in total', { attributes: { a: 'x'.repeat(600), b: 'y'.repeat(600) } }, /attributes/],
  ])('refuses %s with ValidationException', async (_name, input, message) => {
    // Casts: the point is to send what the SDK's types would not allow.
    const error = await ivs.client.send(new CreateParticipantTokenCommand({ stageArn, ...(input as object) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as ValidationException).exceptionMessage).toMatch(message);
  });

  it('answers ResourceNotFoundException for a stage that does not exist', async () => {
    const missing = stageArn.replace(/[^/]+$/, 'AAAAAAAAAAAA');
    await expect(ivs.client.send(new CreateParticipantTokenCommand({ stageArn: missing }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('verifies its own tokens for the local stage, and refuses them once expired or once the stage is deleted', async () => {
    const { participantToken } = await ivs.client.send(new CreateParticipantTokenCommand({ stageArn, duration: 1 }));
    const token = participantToken!.token!;
    await expect(ivs.provider.verifyParticipantToken(token)).resolves.toMatchObject({ resource: stageArn, jti: participantToken!.participantId });

    clock = new Date(clock.getTime() + 61_000);
    await expect(ivs.provider.verifyParticipantToken(token)).rejects.toMatchObject({ name: 'InvalidParticipantTokenError', reason: 'EXPIRED' });

    clock = new Date('2026-11-02T10:00:00Z');
    await ivs.client.send(new DeleteStageCommand({ arn: stageArn }));
    const error = await ivs.provider.verifyParticipantToken(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParticipantTokenError);
    expect((error as InvalidParticipantTokenError).reason).toBe('STAGE_NOT_FOUND');
    expect((error as Error).message).not.toContain(token);
  });

  it('refuses a token whose signature was tampered with', async () => {
    const { participantToken } = await ivs.client.send(new CreateParticipantTokenCommand({ stageArn }));
    const [header, payload, signature] = participantToken!.token!.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const forged = [header, Buffer.from(JSON.stringify({ ...claims, capabilities: { allow_publish: true, allow_subscribe: true }, user_id: 'x' })).toString('base64url'), signature].join('.');
    await expect(ivs.provider.verifyParticipantToken(forged)).rejects.toMatchObject({ reason: 'BAD_SIGNATURE' });
  });

  it.each([
    ['exp', 'has no expiry (exp)'],
    ['capabilities', 'has no capabilities'],
  ])('refuses a token signed without %s as malformed', async (claim, message) => {
    const { participantToken } = await ivs.client.send(new CreateParticipantTokenCommand({ stageArn }));
    const claims = claimsOf(participantToken!.token!);
    delete claims[claim];
    const token = await signWithLocalKey(ivs.dataDir, claims);
    await expect(ivs.provider.verifyParticipantToken(token)).rejects.toMatchObject({ reason: 'MALFORMED', message: `The participant token ${message}` });
  });

  it('disconnects a participant: the stage hears of it and its token is refused from then on', async () => {
    const { participantToken } = await ivs.client.send(new CreateParticipantTokenCommand({ stageArn }));
    const heard: string[] = [];
    ivs.provider.onParticipantDisconnected((arn, participantId) => heard.push(`${arn} ${participantId}`));
    await ivs.client.send(new DisconnectParticipantCommand({ stageArn, participantId: participantToken!.participantId!, reason: 'Muted by the host' }));
    expect(heard).toEqual([`${stageArn} ${participantToken!.participantId}`]);
    await expect(ivs.provider.verifyParticipantToken(participantToken!.token!)).rejects.toMatchObject({ reason: 'PARTICIPANT_DISCONNECTED' });
    await expect(ivs.client.send(new DisconnectParticipantCommand({ stageArn, participantId: 'nobody12345' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(ivs.client.send(new DisconnectParticipantCommand({ stageArn, participantId: '' }))).rejects.toBeInstanceOf(ValidationException);
  });

  it('keeps its signing key and participants across a restart, so tokens stay valid', async () => {
    const { participantToken } = await ivs.client.send(new CreateParticipantTokenCommand({ stageArn }));
    await ivs.stop();
    const again = await startIvs({ dataDir: ivs.dataDir, now: () => clock });
    try {
      await expect(again.provider.verifyParticipantToken(participantToken!.token!)).resolves.toMatchObject({ resource: stageArn });
    } finally {
      await again.stop();
    }
    ivs = { ...again, stop: async () => {} };
  });
});
