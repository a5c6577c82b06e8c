/** Validation of request parts against the contract's zod schemas: a mismatch is a 400 listing the issues. */
import type { z } from 'zod';
import { ValidationFailedError } from './errors.ts';

/** Parses a request part with a schema; throws ValidationFailedError (400) with field-level issues. */
export function parseRequestPart<Schema extends z.ZodType>(schema: Schema, value: unknown, part: 'body' | 'path'): z.infer<Schema> {
  const result = schema.safeParse(value ?? (part === 'path' ? {} : undefined));
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 20).map((issue) => ({
    path: [part, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const message = value === undefined && part === 'body' ? 'The request body is missing.' : `The request ${part === 'body' ? 'body' : 'path'} is not valid.`;
  throw new ValidationFailedError(message, issues);
}
