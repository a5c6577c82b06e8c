import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '#local-cloud/gateway/host-policy';
import { allowedOriginsFromEnvironment, OriginPolicy } from '#local-cloud/gateway/origin-policy';
import { checkBrowserDoor } from '#local-cloud/gateway/browser-door';

describe('isLoopbackHost', () => {
  it('accepts loopback names and addresses, with or without a port', () => {
    for (const host of ['127.0.0.1:4566', '127.0.0.1', '127.1.2.3:80', 'localhost:3000', 'LOCALHOST', 'media.localhost:4566', '[::1]:4566', '[::1]', 'localhost.:3000']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
  });

  it('refuses any other name (DNS rebinding), a missing Host and malformed ports', () => {
    for (const host of [undefined, '', 'rebind.example:4566', '127.0.0.1.evil.example', 'localhost.evil.example', '10.0.0.1:4566', '0.0.0.0:4566', '[::2]:4566', 'localhost:x', '127.0.0.1:4566:1', 'evil.example#localhost']) {
      expect(isLoopbackHost(host), String(host)).toBe(false);
    }
  });
});

describe('OriginPolicy', () => {
  it("allows a server's origin under both loopback names, and requests without an Origin", () => {
    const policy = new OriginPolicy();
    policy.allowServer('http://127.0.0.1:3000');
    expect(policy.allows('http://127.0.0.1:3000')).toBe(true);
    expect(policy.allows('http://localhost:3000')).toBe(true);
    expect(policy.allows(undefined)).toBe(true);
    expect(policy.allows('http://127.0.0.1:3001')).toBe(false);
    expect(policy.allows('null')).toBe(false);
    expect(policy.corsOrigin('http://evil.example')).toBeUndefined();
    expect(policy.corsOrigin('http://localhost:3000')).toBe('http://localhost:3000');
  });

  it('reads SHELCASTER_ALLOWED_ORIGINS, normalised, and refuses an entry that is not an origin', () => {
    expect(allowedOriginsFromEnvironment({ SHELCASTER_ALLOWED_ORIGINS: ' http://127.0.0.1:5173 , https://Studio.Example/ ' })).toEqual(['http://127.0.0.1:5173', 'https://studio.example']);
    expect(allowedOriginsFromEnvironment({})).toEqual([]);
    expect(() => allowedOriginsFromEnvironment({ SHELCASTER_ALLOWED_ORIGINS: '*' })).toThrow(/not an origin/);
    expect(() => allowedOriginsFromEnvironment({ SHELCASTER_ALLOWED_ORIGINS: 'http://a.example/path' })).toThrow(/not an origin/);
  });
});

describe('checkBrowserDoor', () => {
  const policy = new OriginPolicy(['http://127.0.0.1:3000']);
  it('refuses a foreign Host even on routes open to any origin, and a foreign Origin elsewhere', () => {
    expect(checkBrowserDoor({ host: '127.0.0.1:4566' }, policy)).toBeUndefined();
    expect(checkBrowserDoor({ host: '127.0.0.1:4566', origin: 'http://127.0.0.1:3000' }, policy)).toBeUndefined();
    expect(checkBrowserDoor({ host: '127.0.0.1:4566', origin: 'http://evil.example' }, policy)).toMatchObject({ reason: 'origin' });
    expect(checkBrowserDoor({ host: '127.0.0.1:4566', origin: 'http://evil.example' }, policy, { anyOrigin: true })).toBeUndefined();
    expect(checkBrowserDoor({ host: 'evil.example:4566' }, policy, { anyOrigin: true })).toMatchObject({ reason: 'host' });
  });
});
