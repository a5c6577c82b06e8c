import { describe, expect, it } from 'vitest';
import { checkMediaUrl, isPublicAddress, parseIpv6 } from '#contract/media-url-policy';

const mediaBucket = 'shelcaster-media-123456789012-us-east-1';
const check = (url: string) => checkMediaUrl(url, { mediaBucket });

describe('Contract: media URL policy', () => {
  it.each([
    [`s3://${mediaBucket}/media/jingles/intro.mp3`],
    ['https://cdn.example-media.net/shows/episode-1.mp3'],
    ['https://cdn.example-media.net:443/a.mp3?sig=abc#t=3'],
    ['https://8.8.8.8/a.mp3'],
    ['https://[2606:4700:4700::1111]/a.mp3'],
  ])('allows %s', (url) => {
    expect(check(url).allowed).toBe(true);
  });

  it.each([
    ['loopback', 'https://127.0.0.1/a.mp3'],
    ['loopback by name', 'https://localhost/a.mp3'],
    ['a .localhost name', 'https://media.localhost/a.mp3'],
    ['private 10/8', 'https://10.1.2.3/a.mp3'],
    ['private 172.16/12', 'https://172.20.0.1/a.mp3'],
    ['private 192.168/16', 'https://192.168.1.10/a.mp3'],
    ['CGNAT', 'https://100.64.0.1/a.mp3'],
    ['the instance metadata address', 'https://169.254.169.254/latest/meta-data/'],
    ['the task metadata address', 'https://169.254.170.2/v2/credentials'],
    ['the unspecified address', 'https://0.0.0.0/a.mp3'],
    ['a decimal address', 'https://2130706433/a.mp3'],
    ['a hex address', 'https://0x7f000001/a.mp3'],
    ['a dotted hex address', 'https://0x7f.0x0.0x0.0x1/a.mp3'],
    ['an octal address', 'https://0177.0.0.1/a.mp3'],
    ['a short address', 'https://127.1/a.mp3'],
    ['a public address in hex form', 'https://0x08080808/a.mp3'],
    ['an address with a trailing dot', 'https://8.8.8.8./a.mp3'],
    ['IPv6 loopback', 'https://[::1]/a.mp3'],
    ['IPv6 unspecified', 'https://[::]/a.mp3'],
    ['IPv6 unique-local', 'https://[fd12:3456:789a::1]/a.mp3'],
    ['IPv6 link-local', 'https://[fe80::1]/a.mp3'],
    ['IPv4-mapped IPv6', 'https://[::ffff:127.0.0.1]/a.mp3'],
    ['IPv4-mapped IPv6 of the metadata address', 'https://[::ffff:a9fe:a9fe]/a.mp3'],
    ['NAT64 IPv6', 'https://[64:ff9b::7f00:1]/a.mp3'],
    ['6to4 IPv6', 'https://[2002:7f00:1::1]/a.mp3'],
    ['user information', 'https://user:pass@cdn.example-media.net/a.mp3'],
    ['an @ trick', 'https://cdn.example-media.net@127.0.0.1/a.mp3'],
    ['a backslash trick', 'https://127.0.0.1\\@cdn.example-media.net/a.mp3'],
    ['another port', 'https://cdn.example-media.net:8080/a.mp3'],
    ['plain http', 'http://cdn.example-media.net/a.mp3'],
    ['a file URL', 'file:///etc/passwd'],
    ['a data URL', 'data:audio/mpeg;base64,AAAA'],
    ['gopher', 'gopher://cdn.example-media.net/a'],
    ['a single-label name', 'https://metadata/a.mp3'],
    ['an internal name', 'https://metadata.google.internal/a.mp3'],
    ['another bucket', 's3://someone-elses-bucket/media/a.mp3'],
    ['a key outside media/', `s3://${mediaBucket}/recordings/x/a.mp3`],
    ['a key climbing out of media/', `s3://${mediaBucket}/media/../recordings/a.mp3`],
    ['whitespace', 'https://cdn.example-media.net/a b.mp3'],
    ['an empty string', ''],
  ])('refuses %s', (_case, url) => {
    const decision = check(url);
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) expect(decision.reason).toMatch(/programUrl|s3/);
  });

  it('tells the controller which resolved addresses are public', () => {
    expect(isPublicAddress('93.184.215.14')).toBe(true);
    expect(isPublicAddress('2606:4700:4700::1111')).toBe(true);
    expect(isPublicAddress('169.254.170.2')).toBe(false);
    expect(isPublicAddress('::ffff:10.0.0.1')).toBe(false);
    expect(isPublicAddress('fc00::1')).toBe(false);
    expect(isPublicAddress('255.255.255.255')).toBe(false);
    expect(isPublicAddress('not an address')).toBe(false);
  });

  it('expands IPv6 addresses, with or without a dotted tail', () => {
    expect(parseIpv6('::ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIpv6('2001:db8::1')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('1::2::3')).toBeUndefined();
  });
});
