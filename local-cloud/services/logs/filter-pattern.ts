/**
 * CloudWatch Logs filter patterns for unstructured events: terms (all must occur), quoted phrases,
 * `?term` (at least one of the ?-terms must occur) and `-term` (must not occur). Matching is case-sensitive
 * substring matching, as CloudWatch Logs does for terms. JSON (`{ $.x = 1 }`) and space-delimited
 * (`[ip, user, ...]`) patterns are refused rather than matched wrongly.
 */
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';

/** A compiled filter pattern. */
export type EventMatcher = (message: string) => boolean;

/** Splits a pattern into terms, keeping quoted phrases (with `\"` escapes) whole. */
function tokenize(pattern: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    let prefix = '';
    if ((c === '?' || c === '-') && pattern[i + 1] === '"') {
      prefix = c;
      i += 1;
    }
    if (pattern[i] === '"') {
      let phrase = '';
      i += 1;
      while (i < pattern.length && pattern[i] !== '"') {
        if (pattern[i] === '\\' && i + 1 < pattern.length) i += 1;
        phrase += pattern[i];
        i += 1;
      }
      if (pattern[i] !== '"') throw new AwsServiceError('InvalidParameterException', 'Invalid filter pattern: unterminated quoted phrase.');
      i += 1;
      tokens.push(prefix + phrase);
      continue;
    }
    let term = '';
    while (i < pattern.length && !/\s/.test(pattern[i] as string)) {
      term += pattern[i];
      i += 1;
    }
    tokens.push(term);
  }
  return tokens;
}

/** Compiles a filter pattern; an empty pattern matches every event. */
export function compileFilterPattern(pattern: string | undefined): EventMatcher {
  const trimmed = (pattern ?? '').trim();
  if (trimmed === '' || trimmed === '""') return () => true;
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('%')) {
    throw new AwsServiceError('InvalidParameterException', 'The local cloud supports term and phrase filter patterns only (no JSON, space-delimited or regex patterns).');
  }
  const required: string[] = [];
  const anyOf: string[] = [];
  const excluded: string[] = [];
  for (const token of tokenize(trimmed)) {
    if (token.startsWith('?') && token.length > 1) anyOf.push(token.slice(1));
    else if (token.startsWith('-') && token.length > 1) excluded.push(token.slice(1));
    else required.push(token);
  }
  return (message) =>
    required.every((t) => message.includes(t)) &&
    (anyOf.length === 0 || anyOf.some((t) => message.includes(t))) &&
    !excluded.some((t) => message.includes(t));
}
