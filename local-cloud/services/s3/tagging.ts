/**
 * Object tags: the `x-amz-tagging` header of PutObject (URL-encoded `key=value&...`) and the Tagging document
 * of Put/GetObjectTagging, with S3's limits (10 tags, keys up to 128 and values up to 256 characters, keys
 * unique).
 */
import { XMLParser } from 'fast-xml-parser';
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';
import { xmlEscape } from '#local-cloud/gateway/error-shapes';
import { S3_XML_NAMESPACE } from './xml.ts';

export type TagSet = Record<string, string>;

const MAX_TAGS = 10;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;

const invalidTag = (message: string) => new AwsServiceError('InvalidTag', message, 400);

function checked(entries: [string, string][]): TagSet {
  if (entries.length > MAX_TAGS) throw new AwsServiceError('BadRequest', 'Object tags cannot be greater than 10', 400);
  const tags: TagSet = {};
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw invalidTag('The TagKey you have provided is too long, max 128');
    if (value.length > MAX_VALUE_LENGTH) throw invalidTag('The TagValue you have provided is too long, max 256');
    if (key in tags) throw invalidTag('Cannot provide multiple Tags with the same key');
    tags[key] = value;
  }
  return tags;
}

/** The tag set of an `x-amz-tagging` header (empty when absent). */
export function tagsFromHeader(header: string | undefined): TagSet {
  if (!header) return {};
  return checked([...new URLSearchParams(header)]);
}

/** The tag set of a PutObjectTagging body. */
export function tagsFromXml(body: string): TagSet {
  const parsed = new XMLParser({ isArray: (name) => name === 'Tag', parseTagValue: false }).parse(body) as {
    Tagging?: { TagSet?: { Tag?: { Key?: unknown; Value?: unknown }[] } | '' };
  };
  if (!parsed.Tagging) throw new AwsServiceError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
  const tagSet = parsed.Tagging.TagSet;
  const entries = (tagSet && typeof tagSet === 'object' ? (tagSet.Tag ?? []) : []).map((tag): [string, string] => [String(tag.Key ?? ''), String(tag.Value ?? '')]);
  return checked(entries);
}

/** A GetObjectTagging answer. */
export function taggingXml(tags: TagSet): string {
  const items = Object.entries(tags)
    .map(([key, value]) => `<Tag><Key>${xmlEscape(key)}</Key><Value>${xmlEscape(value)}</Value></Tag>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Tagging xmlns="${S3_XML_NAMESPACE}"><TagSet>${items}</TagSet></Tagging>`;
}
