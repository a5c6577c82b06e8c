/**
 * The on-air limits under concurrent starts, and commands of a show that failed before its controller took
 * them (issue 15, items 1 and 4), against one real local cloud whose controllers cannot start Chromium: every
 * session fails fast with CONTROLLER_FAILED, so no browser runs and the starts themselves are what is tested.
 *
 * - Six POST /sessions by one host at once: exactly MAX_LIVE_SESSIONS_PER_HOST are accepted, the others 429
 *   (before the fix, a start whose record was not written yet was taken for a finished one, and all six went).
 * - Then starts by other hosts at once: the deployment never holds more than MAX_LIVE_SESSIONS_PER_ACCOUNT
 *   (IVS's composition quota) sessions not yet over.
 * - Commands accepted while a session was STARTING end FAILED with the show-ended reason once it failed
 *   (Teardown settles them; before, they stayed QUEUED for ever).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_LIVE_SESSIONS_PER_ACCOUNT,
  MAX_LIVE_SESSIONS_PER_HOST,
  SHOW_ENDED_COMMAND_REASON,
} from '#contract/index';
import { localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { eventually } from '#harness/eventually';
import { SessionApi } from '#harness/session-api';

let cloud: RunningLocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({ env: { SHELCASTER_CONTROLLER_ENV: JSON.stringify({ CHROMIUM_PATH: '/nonexistent/chromium' }) } });
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
});

const hostApi = async (userId: string) => new SessionApi(cloud, await localToken(cloud.dataDir, userId));

/** Waits until every session named is over (ENDED or FAILED). */
async function allOver(api: SessionApi, sessionIds: readonly string[]): Promise<void> {
  for (const id of sessionIds) await api.waitOver(id, 90_000);
}

describe('Live-session limits and commands of a show that failed to start', () => {
  it(`accepts exactly ${MAX_LIVE_SESSIONS_PER_HOST} of six concurrent starts by one host`, async () => {
    const host = await hostApi('host-concurrent');

    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => host.request('POST', '/sessions', { title: `Concurrent ${i}` })));

    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted).toHaveLength(MAX_LIVE_SESSIONS_PER_HOST);
    expect(answers.filter((a) => a.status === 429).map((a) => a.body.code)).toEqual(Array(6 - MAX_LIVE_SESSIONS_PER_HOST).fill('RATE_LIMITED'));
    // A refused start left nothing: its id was never answered, and the accepted ones are the host's only sessions.
    await allOver(host, accepted.map((a) => a.body.sessionId as string));
  }, 180_000);

  it(`never lets more than ${MAX_LIVE_SESSIONS_PER_ACCOUNT} sessions be under way in the whole deployment`, async () => {
    const hosts = await Promise.all(Array.from({ length: MAX_LIVE_SESSIONS_PER_ACCOUNT + 2 }, (_, i) => hostApi(`host-account-${i}`)));

    const answers = await Promise.all(hosts.map((host, i) => host.request('POST', '/sessions', { title: `Account ${i}` })));

    expect(answers.filter((a) => a.status === 202)).toHaveLength(MAX_LIVE_SESSIONS_PER_ACCOUNT);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(2);
    expect(refused[0]!.body.message).toMatch(/shows on air/);
    for (const [i, answer] of answers.entries()) if (answer.status === 202) await hosts[i]!.waitOver(answer.body.sessionId as string, 90_000);
  }, 180_000);

  it('fails the commands a show took while STARTING once it failed, with the reason', async () => {
    const host = await hostApi('host-settle');
    const { sessionId } = await host.createSession('Fails before it takes its commands');

    // Commands are accepted once the session's queue exists (CreateStage); the controller never takes them.
    const commandIds: string[] = [];
    await eventually(
      async () => {
        const sent = await host.request('POST', `/sessions/${sessionId}/commands`, { type: 'SET_VOLUME', volume: 0.5 });
        if (sent.status === 202) commandIds.push(sent.body.commandId as string);
        else if (sent.status !== 409) throw new Error(`POST commands answered ${sent.status}: ${JSON.stringify(sent.body)}`);
        return commandIds.length > 0 ? true : undefined;
      },
      60_000,
      'a command accepted while STARTING',
    );
    const second = await host.request('POST', `/sessions/${sessionId}/commands`, { type: 'PAUSE_MEDIA' });
    if (second.status === 202) commandIds.push(second.body.commandId as string);

    const over = await host.waitOver(sessionId, 90_000);
    expect(over).toMatchObject({ status: 'FAILED', reason: 'CONTROLLER_FAILED' });
    for (const commandId of commandIds) {
      const command = await host.request('GET', `/sessions/${sessionId}/commands/${commandId}`);
      expect(command.body).toMatchObject({ status: 'FAILED', reason: SHOW_ENDED_COMMAND_REASON });
    }
  }, 180_000);
});
