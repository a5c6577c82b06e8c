import { describe, expect, it } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { claimsAsStrings, createJwtAuthorizer, localIssuerKeys } from '#local-cloud/api/jwt-authorizer';

const ISSUER = 'https://issuer.example.com';
const NOW = new Date('2026-11-02T10:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

async function keyPair(alg: 'RS256' | 'ES256' = 'RS256') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: `k-${alg}`, alg };
  return { privateKey, jwk };
}

const rsa = await keyPair();
const otherRsa = await keyPair();
const authorize = createJwtAuthorizer({ issuer: ISSUER, audience: ['api'] }, localIssuerKeys({ keys: [rsa.jwk] }), () => NOW);

function token(claims: Record<string, unknown>, key = rsa, header: Record<string, unknown> = {}) {
  const { exp = nowSeconds + 60, ...rest } = claims as { exp?: number } & Record<string, unknown>;
  return new SignJWT({ iss: ISSUER, aud: 'api', sub: 'user-1', iat: nowSeconds - 10, exp, ...rest })
    .setProtectedHeader({ alg: key.jwk.alg as string, kid: key.jwk.kid as string, ...header })
    .sign(key.privateKey);
}

describe('Method: createJwtAuthorizer (the HTTP API JWT authorizer)', () => {
  it('accepts a valid token with or without the Bearer prefix and passes claims as strings', async () => {
    const jwt = await token({ scope: 'a b' });
    const withBearer = await authorize(`Bearer ${jwt}`);
    expect(withBearer.claims).toMatchObject({ sub: 'user-1', iss: ISSUER, aud: 'api', exp: String(nowSeconds + 60) });
    expect(withBearer.scopes).toEqual(['a', 'b']);
    expect((await authorize(jwt)).claims.sub).toBe('user-1');
  });

  it('accepts a token without aud whose client_id is an accepted audience', async () => {
    const jwt = await token({ aud: undefined, client_id: 'api' });
    await expect(authorize(jwt)).resolves.toMatchObject({ claims: { client_id: 'api' }, scopes: null });
  });

  it.each([
    ['no token', async () => undefined],
    ['an empty Authorization header', async () => 'Bearer '],
    ['an expired token', () => token({ exp: nowSeconds - 1 })],
    ['a token without exp', () => new SignJWT({ iss: ISSUER, aud: 'api', sub: 'u' }).setProtectedHeader({ alg: 'RS256', kid: rsa.jwk.kid! }).sign(rsa.privateKey)],
    ['a token not valid yet (nbf)', () => token({ nbf: nowSeconds + 60 })],
    ['a token issued in the future', () => token({ iat: nowSeconds + 60 })],
    ['another issuer', () => token({ iss: 'https://evil.example.com' })],
    ['another audience', () => token({ aud: 'other' })],
    ['a key that is not in the JWKS', () => token({}, otherRsa, { kid: rsa.jwk.kid })],
    ['an unknown kid', () => token({}, rsa, { kid: 'nope' })],
    ['a tampered payload', async () => {
      const [h, , s] = (await token({})).split('.');
      return [h, Buffer.from(JSON.stringify({ iss: ISSUER, aud: 'api', sub: 'admin', exp: nowSeconds + 60 })).toString('base64url'), s].join('.');
    }],
    ['an unsigned token (alg none)', async () => {
      const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${enc({ alg: 'none' })}.${enc({ iss: ISSUER, aud: 'api', sub: 'u', exp: nowSeconds + 60 })}.`;
    }],
    ['garbage', async () => 'not-a-jwt'],
  ])('refuses %s', async (_name, make) => {
    const header = await make();
    await expect(authorize(header)).rejects.toMatchObject({ name: 'JwtRefusedError' });
  });

  it('refuses non-RSA signatures, as API Gateway supports RSA only', async () => {
    const ec = await keyPair('ES256');
    const ecAuthorize = createJwtAuthorizer({ issuer: ISSUER, audience: ['api'] }, localIssuerKeys({ keys: [ec.jwk] }), () => NOW);
    await expect(ecAuthorize(await token({}, ec))).rejects.toMatchObject({ name: 'JwtRefusedError' });
  });
});

describe('Method: claimsAsStrings', () => {
  it('turns numbers, booleans, lists and objects into strings as API Gateway does', () => {
    expect(claimsAsStrings({ n: 1, b: true, l: ['x', 'y'], o: { k: 'v' }, s: 's' })).toEqual({ n: '1', b: 'true', l: '[x y]', o: '{"k":"v"}', s: 's' });
  });
});
