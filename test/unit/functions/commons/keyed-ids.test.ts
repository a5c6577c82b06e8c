import '#test/unit/functions/support/env';
import { describe, expect, it } from 'vitest';
import { CommandPathParams } from '#contract/index';
import { SessionPathParams } from '#contract/index';
import { commandIdFor, sessionIdFor } from '#commons/keyed-ids';

const HOST = 'auth0|42';
const SESSION = '3f2b8c1e-6d4a-4f7b-9a0e-2c5d8e1f4a7b';
const OTHER_SESSION = '9d1c0b2a-3e4f-4a5b-8c6d-7e8f9a0b1c2d';

describe('Function: commandIdFor', () => {
  it('derives the same id from the same caller, session and Idempotency-Key, a version-5 UUID the API accepts', () => {
    const id = commandIdFor({ hostId: HOST, sessionId: SESSION, idempotencyKey: 'k-1' });

    expect(commandIdFor({ hostId: HOST, sessionId: SESSION, idempotencyKey: 'k-1' })).toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(CommandPathParams.parse({ sessionId: SESSION, commandId: id }).commandId).toBe(id);
  });

  it('derives another id for another caller, session or key, however the parts are cut', () => {
    const id = commandIdFor({ hostId: HOST, sessionId: SESSION, idempotencyKey: 'k-1' });

    expect(commandIdFor({ hostId: 'auth0|43', sessionId: SESSION, idempotencyKey: 'k-1' })).not.toBe(id);
    expect(commandIdFor({ hostId: HOST, sessionId: OTHER_SESSION, idempotencyKey: 'k-1' })).not.toBe(id);
    expect(commandIdFor({ hostId: HOST, sessionId: SESSION, idempotencyKey: 'k-2' })).not.toBe(id);
    expect(commandIdFor({ hostId: 'a', sessionId: SESSION, idempotencyKey: 'bc' })).not.toBe(commandIdFor({ hostId: 'ab', sessionId: SESSION, idempotencyKey: 'c' }));
  });

  it('makes a random id without a key', () => {
    expect(commandIdFor({ hostId: HOST, sessionId: SESSION })).not.toBe(commandIdFor({ hostId: HOST, sessionId: SESSION }));
  });
});



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
