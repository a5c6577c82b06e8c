import { describe, expect, it } from 'vitest';
import { nameBasedUuid } from '#helpers/name-based-uuid';

/** RFC 9562's DNS namespace. */
const DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

describe('Function: nameBasedUuid', () => {
  it("gives RFC 9562's version-5 ids (its example, and Python's uuid5)", () => {
    expect(nameBasedUuid(DNS, 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(nameBasedUuid(DNS, 'python.org')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('gives the same id for the same name and another for another name or namespace', () => {
    expect(nameBasedUuid(DNS, 'a')).toBe(nameBasedUuid(DNS.toUpperCase(), 'a'));
    expect(nameBasedUuid(DNS, 'a')).not.toBe(nameBasedUuid(DNS, 'b'));
    expect(nameBasedUuid(DNS, 'a')).not.toBe(nameBasedUuid('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'a'));
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => nameBasedUuid('not-a-uuid', 'a')).toThrow(/namespace must be a UUID/);
  });
});
