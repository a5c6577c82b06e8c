import '#test/unit/functions/support/env';
import { describe, expect, it } from 'vitest';
import { SessionPathParams } from '#contract/index';
import { commandIdFor } from '#commons/command-ids';
import { sessionIdFor } from '#commons/session-ids';

const HOST = 'auth0|42';

describe('Function: sessionIdFor', () => {
  it('derives the same id from the same caller and Idempotency-Key, a version-5 UUID the API accepts', () => {
    const id = sessionIdFor({ hostId: HOST, idempotencyKey: 'k-1' });

    expect(sessionIdFor({ hostId: HOST, idempotencyKey: 'k-1' })).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(SessionPathParams.parse({ sessionId: id }).sessionId).toBe(id);
  });

  it('derives another id for another caller or key, however the parts are cut, and apart from command ids', () => {
    const id = sessionIdFor({ hostId: HOST, idempotencyKey: 'k-1' });

    expect(sessionIdFor({ hostId: 'auth0|43', idempotencyKey: 'k-1' })).not.toBe(id);
    expect(sessionIdFor({ hostId: HOST, idempotencyKey: 'k-2' })).not.toBe(id);
    expect(sessionIdFor({ hostId: 'a', idempotencyKey: 'bc' })).not.toBe(sessionIdFor({ hostId: 'ab', idempotencyKey: 'c' }));
    expect(commandIdFor({ hostId: HOST, sessionId: id, idempotencyKey: 'k-1' })).not.toBe(id);
  });

  it('makes a random id without a key', () => {
    expect(sessionIdFor({ hostId: HOST })).not.toBe(sessionIdFor({ hostId: HOST }));
  });
});
