/**
 * S3's additional checksums (`x-amz-checksum-<algorithm>`, base64) and Content-MD5, checked against the
 * bytes received. CRC64NVME is accepted unchecked.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli) of `data`. */
export function crc32c(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC32C_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function uint32Base64(value: number): string {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer.toString('base64');
}

/** The base64 checksum of `data` for an algorithm S3 supports, or undefined when we do not compute it. */
export function checksumOf(algorithm: string, data: Buffer): string | undefined {
  switch (algorithm) {
    case 'crc32':
      return uint32Base64(crc32(data));
    case 'crc32c':
      return uint32Base64(crc32c(data));
    case 'sha1':
      return createHash('sha1').update(data).digest('base64');
    case 'sha256':
      return createHash('sha256').update(data).digest('base64');
    default:
      return undefined;
  }
}

/**
 * Checks every `x-amz-checksum-*` value in `values` (headers, trailers or presigned query) and
 * `content-md5` against `data`; returns the checked checksums (algorithm → value). Throws BadDigest.
 */
export function verifyChecksums(values: Record<string, string | undefined>, data: Buffer): Record<string, string> {
  const checked: Record<string, string> = {};
  const md5 = values['content-md5'];
  if (md5 && createHash('md5').update(data).digest('base64') !== md5) {
    throw new AwsServiceError('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
  }
  for (const [name, value] of Object.entries(values)) {
    if (!name.startsWith('x-amz-checksum-') || value === undefined || name === 'x-amz-checksum-mode' || name === 'x-amz-checksum-type' || name === 'x-amz-checksum-algorithm') continue;
    const algorithm = name.slice('x-amz-checksum-'.length);
    const actual = checksumOf(algorithm, data);
    if (actual !== undefined && actual !== value) {
      throw new AwsServiceError('BadDigest', `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`, 400);
    }
    checked[algorithm] = value;
  }
  return checked;
}
