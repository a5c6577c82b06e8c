import { afterEach, describe, expect, it } from 'vitest';
import { startStageServer, type StageServer } from '#local-cloud/stage/stage-server';
import type { StageParticipantClaims } from '#local-cloud/stage/participant-claims';

const STAGE_ARN = 'arn:aws:ivs:us-east-1:000000000000:stage/AbCdEf123456';
const OTHER_STAGE_ARN = 'arn:aws:ivs:us-east-1:000000000000:stage/ZyXwVu987654';

const claims = (jti: string, resource = STAGE_ARN, attributes: Record<string, string> = {}): StageParticipantClaims => ({
  topic: resource.split('/')[1]!,
  resource,
  jti,
  capabilities: { allow_publish: true, allow_subscribe: true },
  user_id: `user-${jti}`,
  attributes,
  exp: 2_000_000_000,
});

const TOKENS: Record<string, StageParticipantClaims> = {
  'host-token': claims('host', STAGE_ARN, { displayName: 'The host', role: 'HOST' }),
  'controller-token': claims('controller'),
  'elsewhere-token': claims('elsewhere', OTHER_STAGE_ARN),
};

describe('The local stage: who is on the stage', () => {
  let stage: StageServer | undefined;

  afterEach(async () => {
    await stage?.close();
    stage = undefined;
  });

  async function start(): Promise<StageServer> {
    stage = await startStageServer({
      verify: async (token) => {
        const found = TOKENS[token];
        if (!found) throw new Error('bad signature');
        return found;
      },
    });
    const participants = stage.endpoint.participants;
    participants.publish({ participantId: 'host', stageArn: STAGE_ARN, userId: 'user-host', attributes: { displayName: 'The host', role: 'HOST' }, resourceId: 'r1', route: 'sdk' });
    participants.setState('r1', 'connected');
    participants.publish({ participantId: 'controller', stageArn: STAGE_ARN, attributes: {}, resourceId: 'r2', route: 'sdk' });
    participants.publish({ participantId: 'elsewhere', stageArn: OTHER_STAGE_ARN, attributes: {}, resourceId: 'r3', route: 'whip' });
    return stage;
  }

  const list = (server: StageServer, token?: string, origin?: string) =>
    fetch(`${server.baseUrl}/participants`, {
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(origin ? { origin } : {}) },
    });

  it("lists the publishers of the bearer token's stage only, marking the asker", async () => {
    const server = await start();

    const response = await list(server, 'host-token', 'http://127.0.0.1:3000');
    const body = (await response.json()) as { participants: Record<string, unknown>[] };

    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    expect(body.participants.map((p) => p.participantId).sort()).toEqual(['controller', 'host']);
    expect(body.participants.find((p) => p.participantId === 'host')).toMatchObject({
      displayName: 'The host',
      role: 'HOST',
      state: 'connected',
      self: true,
      userId: 'user-host',
    });
    expect(body.participants.find((p) => p.participantId === 'controller')).toMatchObject({ self: false, state: 'new' });
    expect(JSON.stringify(body)).not.toContain('r1');
  });

  it('refuses a request without a valid participant token', async () => {
    const server = await start();

    expect((await list(server)).status).toBe(401);
    expect((await list(server, 'forged')).status).toBe(401);
  });

  it('refuses methods other than GET', async () => {
    const server = await start();

    const response = await fetch(`${server.baseUrl}/participants`, { method: 'POST', headers: { authorization: 'Bearer host-token' } });

    expect(response.status).toBe(405);
  });
});
