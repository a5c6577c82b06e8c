import { describe, expect, it } from 'vitest';
import { expiredKeys, expiresAt, lifecycleFromXml, lifecycleXml } from '#local-cloud/services/s3/lifecycle';

const RULE_XML = `<LifecycleConfiguration><Rule><ID>expire-unclaimed-uploads</ID><Filter><And><Prefix>media/</Prefix>
<Tag><Key>shelcaster-upload</Key><Value>unclaimed</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><Days>7</Days></Expiration></Rule></LifecycleConfiguration>`;

describe('Local S3 lifecycle', () => {
  it('expires an object at the first midnight UTC at least its days after creation', () => {
    expect(new Date(expiresAt(Date.UTC(2026, 0, 1, 10), 7)).toISOString()).toBe('2026-01-09T00:00:00.000Z');
    expect(new Date(expiresAt(Date.UTC(2026, 0, 1, 0), 1)).toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });

  it('reads a rule filtered by prefix and tag, and writes it back the same', () => {
    const rules = lifecycleFromXml(RULE_XML);
    expect(rules).toEqual([{ id: 'expire-unclaimed-uploads', enabled: true, prefix: 'media/', tags: { 'shelcaster-upload': 'unclaimed' }, expirationDays: 7 }]);
    expect(lifecycleFromXml(lifecycleXml(rules))).toEqual(rules);
  });

  it('expires only the objects every part of an enabled rule matches', () => {
    const rules = lifecycleFromXml(RULE_XML);
    const created = Date.UTC(2026, 0, 1, 10);
    const objects = [
      { key: 'media/u/a.wav', lastModified: created, tags: { 'shelcaster-upload': 'unclaimed' } },
      { key: 'media/u/b.wav', lastModified: created, tags: { 'shelcaster-upload': 'track' } },
      { key: 'media/u/c.wav', lastModified: created },
      { key: 'recordings/s/e.m4a', lastModified: created, tags: { 'shelcaster-upload': 'unclaimed' } },
    ];
    expect(expiredKeys(rules, objects, Date.UTC(2026, 0, 8, 23))).toEqual([]);
    expect(expiredKeys(rules, objects, Date.UTC(2026, 0, 9))).toEqual(['media/u/a.wav']);
    expect(expiredKeys([{ ...rules[0]!, enabled: false }], objects, Date.UTC(2027, 0, 1))).toEqual([]);
  });

  it('refuses what it does not implement instead of ignoring it', () => {
    expect(() => lifecycleFromXml('<LifecycleConfiguration><Rule><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition></Rule></LifecycleConfiguration>')).toThrow(/not implement/);
    expect(() => lifecycleFromXml('<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Date>2027-01-01T00:00:00Z</Date></Expiration></Rule></LifecycleConfiguration>')).toThrow(/not implement/);
  });
});
