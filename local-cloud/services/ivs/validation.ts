/**
 * Request checks with IVS's constraints (lengths, patterns, ranges, enums). Each failure is a
 * ValidationException whose message names the field, as IVS's do.
 */
import { ivsError } from './rest-json.ts';
import { parseIvsArn, type IvsResourceType } from './arns.ts';
import type { Tags } from './store.ts';

export type Json = Record<string, unknown>;

/** The request body as an object (a missing body is an empty request). */
export function asObject(value: unknown, field = 'request'): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw ivsError('ValidationException', `${field} must be an object`);
  return value as Json;
}

/** An optional string member with a length limit and pattern. */
export function optionalString(body: Json, field: string, opts: { min?: number; max: number; pattern?: RegExp }): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw ivsError('ValidationException', `${field} must be a string`);
  if (value.length < (opts.min ?? 0) || value.length > opts.max) {
    throw ivsError('ValidationException', `${field} must be between ${opts.min ?? 0} and ${opts.max} characters`);
  }
  if (opts.pattern && !opts.pattern.test(value)) {
    throw ivsError('ValidationException', `${field} must satisfy the pattern ${opts.pattern.source}`);
  }
  return value;
}

/** A required ARN of the given resource type. */
export function requiredArn(body: Json, field: string, type: IvsResourceType): string {
  const value = body[field];
  if (value === undefined || value === null || value === '') throw ivsError('ValidationException', `${field} is required`);
  return checkArn(value, field, type);
}

/** Checks that a value is an ARN of the given resource type. */
export function checkArn(value: unknown, field: string, type: IvsResourceType): string {
  if (typeof value !== 'string') throw ivsError('ValidationException', `${field} must be a string`);
  const parsed = parseIvsArn(value);
  if (!parsed || parsed.type !== type) throw ivsError('ValidationException', `${field} is not a valid ${type} ARN`);
  return value;
}

/** An optional integer within a range. */
export function optionalInteger(body: Json, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw ivsError('ValidationException', `${field} must be an integer between ${min} and ${max}`);
  }
  return value;
}

/** An optional string-to-string map. */
export function optionalStringMap(body: Json, field: string): Record<string, string> | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw ivsError('ValidationException', `${field} must be a map of strings`);
  for (const entry of Object.values(value)) {
    if (typeof entry !== 'string') throw ivsError('ValidationException', `${field} must be a map of strings`);
  }
  return value as Record<string, string>;
}

/** Tags as AWS limits them: at most 50, keys 1..128 and values 0..256 characters, no `aws:` prefix. */
export function optionalTags(body: Json, field = 'tags'): Tags | undefined {
  const tags = optionalStringMap(body, field);
  if (!tags) return undefined;
  const entries = Object.entries(tags);
  if (entries.length > 50) throw ivsError('ValidationException', `${field} can hold at most 50 tags`);
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128) throw ivsError('ValidationException', `Tag keys must be between 1 and 128 characters`);
    if (value.length > 256) throw ivsError('ValidationException', `Tag values must be at most 256 characters`);
    if (key.toLowerCase().startsWith('aws:')) throw ivsError('ValidationException', `Tag keys may not start with aws:`);
  }
  return tags;
}

/** Resource names: letters, digits, `-` and `_`, at most 128 characters. */
export const NAME_PATTERN = /^[a-zA-Z0-9-_]*$/;
