import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from '#contract/api-client';
import { COMMAND_SEND_ATTEMPTS, postCommand } from '../../../console/src/commands.ts';

const SESSION_ID = '3f2b8c1e-6d4a-4f7b-9a0e-2c5d8e1f4a7b';
const COMMAND_ID = '0d9f3c1e-2a4b-5c6d-8e7f-9a0b1c2d3e4f';

/** An API that answers the given responses in turn, keeping each request's Idempotency-Key. */
function scriptedApi(answers: (() => Response)[]) {
  const keys: (string | null)[] = [];
  const fetch = async (_url: string | URL | Request, init?: RequestInit) => {
    keys.push(new Headers(init?.headers).get('idempotency-key'));
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    return next();
  };
  return { api: new ApiClient({ baseUrl: 'http://api.test', token: 't', fetch: fetch as typeof globalThis.fetch }), keys };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const crashed = json(500, { message: 'Internal Server Error' });

describe('Console: postCommand', () => {
  it('sends a command again under the same key after a 5xx and while a dead attempt holds the key, waiting as told', async () => {
    const { api, keys } = scriptedApi([crashed, json(409, { code: 'CONFLICT', message: 'in progress' }, { 'retry-after': '7' }), json(202, { commandId: COMMAND_ID, status: 'QUEUED' })]);
    const waits: number[] = [];

    const accepted = await postCommand(api, SESSION_ID, { type: 'PAUSE_MEDIA' }, async (ms) => void waits.push(ms));

    expect(accepted).toEqual({ commandId: COMMAND_ID, status: 'QUEUED' });
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(waits).toEqual([1000, 7000]);
  });

  it('does not send again what the API refused (4xx), nor more than COMMAND_SEND_ATTEMPTS times', async () => {
    const refused = scriptedApi([json(400, { code: 'VALIDATION_FAILED', message: 'bad' })]);
    await expect(postCommand(refused.api, SESSION_ID, { type: 'PAUSE_MEDIA' }, async () => undefined)).rejects.toMatchObject({ status: 400 });
    expect(refused.keys).toHaveLength(1);

    const down = scriptedApi(Array.from({ length: COMMAND_SEND_ATTEMPTS + 1 }, () => crashed));
    const failure = await postCommand(down.api, SESSION_ID, { type: 'PAUSE_MEDIA' }, async () => undefined).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(down.keys).toHaveLength(COMMAND_SEND_ATTEMPTS);
  });
});
