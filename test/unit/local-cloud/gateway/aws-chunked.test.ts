import { describe, expect, it } from 'vitest';
import { decodeAwsChunked } from '#local-cloud/gateway/aws-chunked';
import { checksumOf, crc32c, verifyChecksums } from '#local-cloud/services/s3/checksums';

describe('decodeAwsChunked', () => {
  it('joins unsigned chunks and reads the trailing checksum', () => {
    const body = Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');
    expect(decodeAwsChunked(body)).toMatchObject({ data: Buffer.from('hello world'), trailers: { 'x-amz-checksum-crc32': 'DUoRhQ==' }, trailerLines: ['x-amz-checksum-crc32:DUoRhQ=='] });
  });

  it('accepts signed chunk headers', () => {
    const body = Buffer.from('3;chunk-signature=abc\r\nabc\r\n0;chunk-signature=def\r\n\r\n');
    expect(decodeAwsChunked(body).data.toString()).toBe('abc');
  });

  it('refuses a body cut short', () => {
    expect(() => decodeAwsChunked(Buffer.from('a\r\nshort'))).toThrow(/terminated unexpectedly/);
  });
});

describe('checksums', () => {
  it('computes CRC32 and CRC32C as S3 encodes them', () => {
    expect(checksumOf('crc32', Buffer.from('hello world'))).toBe('DUoRhQ==');
    // The CRC-32C check value of "123456789" is 0xE3069283.
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('refuses data whose checksum or Content-MD5 does not match with BadDigest', () => {
    expect(() => verifyChecksums({ 'x-amz-checksum-crc32': 'AAAAAA==' }, Buffer.from('x'))).toThrow(/did not match/);
    expect(() => verifyChecksums({ 'content-md5': 'AAAAAAAAAAAAAAAAAAAAAA==' }, Buffer.from('x'))).toThrow(/Content-MD5/);
    expect(verifyChecksums({ 'x-amz-checksum-crc32': 'DUoRhQ==' }, Buffer.from('hello world'))).toEqual({ crc32: 'DUoRhQ==' });
  });
});
