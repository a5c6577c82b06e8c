import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ALLOWED_ORIGINS,
  DEFAULT_JWT_AUDIENCE,
  DEFAULT_JWT_ISSUER,
  InvalidContextError,
  readDeploySettings,
} from '#infra/deploy-settings';
import { WARM_POOL_SIZE } from '#contract/index';
import { cdkJsonContext } from './stack-fixture.ts';

const settingsOf = (context: Record<string, unknown>) => readDeploySettings(new App({ context }).node);

describe('readDeploySettings', () => {
  it('falls back to the documented defaults without context', () => {
    expect(settingsOf({})).toEqual({
      jwt: { issuer: DEFAULT_JWT_ISSUER, audience: [DEFAULT_JWT_AUDIENCE] },
      allowedOrigins: DEFAULT_ALLOWED_ORIGINS,
      warmPoolSize: WARM_POOL_SIZE.aws,
    });
  });

  it('reads cdk.json, whose values are the defaults', () => {
    expect(settingsOf(cdkJsonContext())).toEqual(settingsOf({}));
  });

  it('accepts lists as JSON arrays or comma-separated strings (as `-c name=a,b` passes them)', () => {
    const settings = settingsOf({ jwtIssuer: 'https://id.example.com/', jwtAudience: 'a, b', allowedOrigins: ['https://x.example.com'] });
    expect(settings).toEqual({
      jwt: { issuer: 'https://id.example.com/', audience: ['a', 'b'] },
      allowedOrigins: ['https://x.example.com'],
      warmPoolSize: WARM_POOL_SIZE.aws,
    });
  });

  it('refuses an issuer that is not https', () => {
    expect(() => settingsOf({ jwtIssuer: 'http://id.example.com/' })).toThrow(InvalidContextError);
  });

  it('refuses an empty or non-string audience', () => {
    expect(() => settingsOf({ jwtAudience: [] })).toThrow(InvalidContextError);
    expect(() => settingsOf({ jwtAudience: [42] })).toThrow(InvalidContextError);
  });

  it('reads the warm pool size (0 turns the pool off; `-c warmPoolSize=3` passes a string) and refuses anything else', () => {
    expect(settingsOf({ warmPoolSize: 0 }).warmPoolSize).toBe(0);
    expect(settingsOf({ warmPoolSize: '3' }).warmPoolSize).toBe(3);
    for (const bad of [-1, 1.5, 'two', 21]) expect(() => settingsOf({ warmPoolSize: bad })).toThrow(InvalidContextError);
  });
});
