import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ALLOWED_ORIGINS,
  DEFAULT_JWT_AUDIENCE,
  DEFAULT_JWT_ISSUER,
  InvalidContextError,
  readDeploySettings,
} from '#infra/deploy-settings';
import { cdkJsonContext } from './stack-fixture.ts';

const settingsOf = (context: Record<string, unknown>) => readDeploySettings(new App({ context }).node);

describe('readDeploySettings', () => {
  it('falls back to the documented defaults without context', () => {
    expect(settingsOf({})).toEqual({
      jwt: { issuer: DEFAULT_JWT_ISSUER, audience: [DEFAULT_JWT_AUDIENCE] },
      allowedOrigins: DEFAULT_ALLOWED_ORIGINS,
    });
  });

  it('reads cdk.json, whose values are the defaults', () => {
    expect(settingsOf(cdkJsonContext())).toEqual(settingsOf({}));
  });

  it('accepts lists as JSON arrays or comma-separated strings (as `-c name=a,b` passes them)', () => {
    const settings = settingsOf({ jwtIssuer: 'https://id.example.com/', jwtAudience: 'a, b', allowedOrigins: ['https://x.example.com'] });
    expect(settings).toEqual({ jwt: { issuer: 'https://id.example.com/', audience: ['a', 'b'] }, allowedOrigins: ['https://x.example.com'] });
  });

  it('refuses an issuer that is not https', () => {
    expect(() => settingsOf({ jwtIssuer: 'http://id.example.com/' })).toThrow(InvalidContextError);
  });

  it('refuses an empty or non-string audience', () => {
    expect(() => settingsOf({ jwtAudience: [] })).toThrow(InvalidContextError);
    expect(() => settingsOf({ jwtAudience: [42] })).toThrow(InvalidContextError);
  });
});
