/**
 * Bucket lifecycle configurations: the document of Put/GetBucketLifecycleConfiguration, and the expiration
 * of current objects by it. Supported: rules with `Expiration` in `Days`, filtered by prefix, one tag, or
 * `And` (prefix and tags), or the legacy rule-level `Prefix`; `Status` Enabled or Disabled.
 * `AbortIncompleteMultipartUpload` is kept and answered but not acted on (multipart uploads in progress are
 * not listed anyway). Not supported (refused with NotImplemented): transitions, noncurrent-version actions,
 * `Expiration` by `Date` or `ExpiredObjectDeleteMarker`, size filters.
 *
 * As S3 does, an object expires at the first midnight UTC at least `Days` days after its creation.
 */
import { XMLParser } from 'fast-xml-parser';
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';
import { xmlEscape } from '#local-cloud/gateway/error-shapes';
import type { TagSet } from './tagging.ts';
import { S3_XML_NAMESPACE } from './xml.ts';

export interface LifecycleRule {
  id?: string;
  enabled: boolean;
  prefix: string;
  tags: TagSet;
  expirationDays?: number;
  abortIncompleteDays?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const malformed = () => new AwsServiceError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
const notImplemented = (what: string) => new AwsServiceError('NotImplemented', `The local S3 does not implement lifecycle ${what}.`, 501);

type XmlNode = Record<string, unknown>;
const asNode = (value: unknown): XmlNode => (value && typeof value === 'object' ? (value as XmlNode) : {});
const tagsOf = (value: unknown): TagSet =>
  Object.fromEntries((Array.isArray(value) ? value : value === undefined ? [] : [value]).map((tag) => [String(asNode(tag).Key ?? ''), String(asNode(tag).Value ?? '')]));

/** The rules of a PutBucketLifecycleConfiguration body. */
export function lifecycleFromXml(body: string): LifecycleRule[] {
  const parsed = new XMLParser({ isArray: (name) => name === 'Rule' || name === 'Tag', parseTagValue: false }).parse(body) as { LifecycleConfiguration?: { Rule?: unknown[] } };
  const rules = parsed.LifecycleConfiguration?.Rule;
  if (!rules || rules.length === 0 || rules.length > 1000) throw malformed();
  return rules.map((raw) => {
    const rule = asNode(raw);
    if (rule.Transition !== undefined || rule.NoncurrentVersionExpiration !== undefined || rule.NoncurrentVersionTransition !== undefined) throw notImplemented('transitions or noncurrent versions');
    const filter = asNode(rule.Filter);
    const and = asNode(filter.And);
    if (filter.ObjectSizeGreaterThan !== undefined || filter.ObjectSizeLessThan !== undefined || and.ObjectSizeGreaterThan !== undefined) throw notImplemented('size filters');
    const expiration = rule.Expiration === undefined ? undefined : asNode(rule.Expiration);
    if (expiration && expiration.Days === undefined) throw notImplemented('expiration by date or of delete markers');
    const days = expiration ? Number(expiration.Days) : undefined;
    if (days !== undefined && !(Number.isInteger(days) && days > 0)) throw new AwsServiceError('InvalidArgument', "'Days' for Expiration action must be a positive integer", 400);
    const abort = rule.AbortIncompleteMultipartUpload === undefined ? undefined : Number(asNode(rule.AbortIncompleteMultipartUpload).DaysAfterInitiation);
    if (expiration === undefined && abort === undefined) throw malformed();
    const status = String(rule.Status ?? '');
    if (status !== 'Enabled' && status !== 'Disabled') throw malformed();
    return {
      ...(rule.ID !== undefined ? { id: String(rule.ID) } : {}),
      enabled: status === 'Enabled',
      prefix: String(and.Prefix ?? filter.Prefix ?? rule.Prefix ?? ''),
      tags: { ...tagsOf(filter.Tag), ...tagsOf(and.Tag) },
      ...(days !== undefined ? { expirationDays: days } : {}),
      ...(abort !== undefined ? { abortIncompleteDays: abort } : {}),
    };
  });
}

/** A GetBucketLifecycleConfiguration answer. */
export function lifecycleXml(rules: readonly LifecycleRule[]): string {
  const tagXml = (tags: TagSet) => Object.entries(tags).map(([k, v]) => `<Tag><Key>${xmlEscape(k)}</Key><Value>${xmlEscape(v)}</Value></Tag>`).join('');
  const body = rules
    .map((rule) => {
      const tagCount = Object.keys(rule.tags).length;
      const filter =
        tagCount === 0
          ? `<Prefix>${xmlEscape(rule.prefix)}</Prefix>`
          : tagCount === 1 && rule.prefix === ''
            ? tagXml(rule.tags)
            : `<And><Prefix>${xmlEscape(rule.prefix)}</Prefix>${tagXml(rule.tags)}</And>`;
      return (
        `<Rule>${rule.id !== undefined ? `<ID>${xmlEscape(rule.id)}</ID>` : ''}<Filter>${filter}</Filter><Status>${rule.enabled ? 'Enabled' : 'Disabled'}</Status>` +
        (rule.expirationDays !== undefined ? `<Expiration><Days>${rule.expirationDays}</Days></Expiration>` : '') +
        (rule.abortIncompleteDays !== undefined ? `<AbortIncompleteMultipartUpload><DaysAfterInitiation>${rule.abortIncompleteDays}</DaysAfterInitiation></AbortIncompleteMultipartUpload>` : '') +
        '</Rule>'
      );
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<LifecycleConfiguration xmlns="${S3_XML_NAMESPACE}">${body}</LifecycleConfiguration>`;
}

/** When an object created at `createdAt` expires by a rule of `days` days: the next midnight UTC at or after creation + days. */
export function expiresAt(createdAt: number, days: number): number {
  return Math.ceil((createdAt + days * DAY_MS) / DAY_MS) * DAY_MS;
}

/** The keys of `objects` an enabled expiration rule has expired at `now`. */
export function expiredKeys(rules: readonly LifecycleRule[], objects: readonly { key: string; lastModified: number; tags?: TagSet }[], now: number): string[] {
  return objects
    .filter((object) =>
      rules.some(
        (rule) =>
          rule.enabled &&
          rule.expirationDays !== undefined &&
          object.key.startsWith(rule.prefix) &&
          Object.entries(rule.tags).every(([key, value]) => object.tags?.[key] === value) &&
          expiresAt(object.lastModified, rule.expirationDays) <= now,
      ),
    )
    .map((object) => object.key);
}
