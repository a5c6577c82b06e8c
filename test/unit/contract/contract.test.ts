import { describe, expect, it } from 'vitest';
import { BINDING_ENV, commandQueueName, CommandInput, ENV, FUNCTIONS, FUNCTION_NAMES, API_ROUTES, functionSpec, IVS_COMPOSITION_QUOTA, maxLiveSessionsPerAccount } from '#contract/index';

describe('Contract: names', () => {
  it('names a session queue with the seed prefix and the session id', () => {
    expect(commandQueueName('abc')).toBe('shelcaster-program-commands-abc.fifo');
  });
  it('has one function spec per function name', () => {
    expect(FUNCTIONS.map((f) => f.role).sort()).toEqual(Object.keys(FUNCTION_NAMES).sort());
  });
  it('routes only to functions that exist', () => {
    for (const route of API_ROUTES) expect(FUNCTION_NAMES[route.function]).toBeDefined();
  });
});

describe('Contract: command schema', () => {
  it('accepts a PLAY_MEDIA command', () => {
    expect(CommandInput.safeParse({ type: 'PLAY_MEDIA', programId: 'p1', programUrl: 's3://b/k' }).success).toBe(true);
  });
  it('refuses unknown types, extra fields and out-of-range volume', () => {
    expect(CommandInput.safeParse({ type: 'DANCE' }).success).toBe(false);
    expect(CommandInput.safeParse({ type: 'PAUSE_MEDIA', extra: 1 }).success).toBe(false);
    expect(CommandInput.safeParse({ type: 'SET_VOLUME', volume: 1.5 }).success).toBe(false);
  });
});

describe('The account cap of live sessions', () => {
  it('is the deployment composition quota the function is given, else IVS default quota', () => {
    expect(maxLiveSessionsPerAccount('14')).toBe(14);
    expect(maxLiveSessionsPerAccount(undefined)).toBe(IVS_COMPOSITION_QUOTA);
    expect(maxLiveSessionsPerAccount('0')).toBe(IVS_COMPOSITION_QUOTA);
    expect(maxLiveSessionsPerAccount('2.5')).toBe(IVS_COMPOSITION_QUOTA);
    expect(functionSpec('createSession').bindings).toContain('compositionQuota');
    expect(BINDING_ENV.compositionQuota).toEqual([ENV.compositionQuota]);
  });
});
