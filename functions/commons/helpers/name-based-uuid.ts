/**
 * A name-based UUID (RFC 9562 §5.5, version 5): the first 16 bytes of SHA-1(namespace bytes ‖ name as UTF-8),
 * with the version (5) and the variant (10) bits set. The same namespace and name always give the same id.
 *
 * Written with node:crypto rather than taken from the `uuid` package: it is one hash and two bit fields, and
 * the project has no other use for that package.
 */
import { createHash } from 'node:crypto';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The version-5 UUID of `name` in `namespace` (itself a UUID). */
export function nameBasedUuid(namespace: string, name: string): string {
  if (!UUID_PATTERN.test(namespace)) throw new TypeError('The namespace must be a UUID.');
  const bytes = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
