/**
 * EventBridge event patterns: validation (as PutRule checks them) and matching (as the default bus applies
 * them). Supported: exact values (strings, numbers, booleans, null), arrays as OR, nested objects, `$or`,
 * `prefix`, `suffix`, `equals-ignore-case`, `wildcard`, `anything-but` (a value, a list, `prefix`, `suffix`,
 * `equals-ignore-case`, `wildcard`), `numeric`, `exists`, and IPv4 `cidr`. An array in the event matches
 * when any of its elements matches.
 */
import { isPlainObject } from '#local-cloud/is-plain-object';

export type EventPattern = { [field: string]: unknown };

/** An event pattern PutRule refuses (`InvalidEventPatternException`). */
export class InvalidEventPatternError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`Event pattern is not valid. Reason: ${reason}`, options);
    this.name = 'InvalidEventPatternError';
  }
}

const MISSING = Symbol('missing');
type FieldValue = unknown | typeof MISSING;

const NUMERIC_OPERATORS = new Set(['<', '<=', '=', '>', '>=']);

function isPrimitive(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** Parses and validates a pattern from its JSON text. */
export function parseEventPattern(text: string): EventPattern {
  let pattern: unknown;
  try {
    pattern = JSON.parse(text);
  } catch (error) {
    throw new InvalidEventPatternError(`Filter is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isPlainObject(pattern)) throw new InvalidEventPatternError('Filter is not an object');
  validateObject(pattern, '');
  return pattern;
}

function validateObject(pattern: Record<string, unknown>, path: string): void {
  for (const [field, value] of Object.entries(pattern)) {
    const where = path ? `${path}.${field}` : field;
    if (field === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isPlainObject)) {
        throw new InvalidEventPatternError(`"$or" must be an array of at least two objects at ${where}`);
      }
      for (const alternative of value) validateObject(alternative as Record<string, unknown>, path);
    } else if (isPlainObject(value)) {
      validateObject(value, where);
    } else if (Array.isArray(value)) {
      for (const matcher of value) validateMatcher(matcher, where);
    } else {
      throw new InvalidEventPatternError(`Match value must be String, number, true, false, or null at ${where}`);
    }
  }
}

function requireString(value: unknown, operator: string, where: string): void {
  if (typeof value !== 'string') throw new InvalidEventPatternError(`"${operator}" match pattern must be a string at ${where}`);
}

function validateStringOperand(value: unknown, operator: string, where: string): void {
  if (isPlainObject(value) && Object.keys(value).length === 1 && 'equals-ignore-case' in value) {
    requireString(value['equals-ignore-case'], operator, where);
    return;
  }
  requireString(value, operator, where);
}

function validateMatcher(matcher: unknown, where: string): void {
  if (isPrimitive(matcher)) return;
  if (!isPlainObject(matcher) || Object.keys(matcher).length !== 1) {
    throw new InvalidEventPatternError(`Match value must be String, number, true, false, null, or one operator object at ${where}`);
  }
  const [operator, operand] = Object.entries(matcher)[0]!;
  switch (operator) {
    case 'prefix':
    case 'suffix':
      validateStringOperand(operand, operator, where);
      return;
    case 'equals-ignore-case':
    case 'wildcard':
      requireString(operand, operator, where);
      return;
    case 'exists':
      if (typeof operand !== 'boolean') throw new InvalidEventPatternError(`exists match pattern must be either true or false at ${where}`);
      return;
    case 'numeric':
      validateNumeric(operand, where);
      return;
    case 'cidr':
      if (typeof operand !== 'string' || !parseCidr(operand)) throw new InvalidEventPatternError(`Malformed CIDR at ${where}`);
      return;
    case 'anything-but':
      validateAnythingBut(operand, where);
      return;
    default:
      throw new InvalidEventPatternError(`Unrecognized match type ${operator} at ${where}`);
  }
}

function validateNumeric(operand: unknown, where: string): void {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    throw new InvalidEventPatternError(`Value of numeric must be an array of one or two comparisons at ${where}`);
  }
  for (let i = 0; i < operand.length; i += 2) {
    if (!NUMERIC_OPERATORS.has(operand[i] as string) || typeof operand[i + 1] !== 'number') {
      throw new InvalidEventPatternError(`Unrecognized numeric range operator or value at ${where}`);
    }
  }
  if (operand.length === 4 && (!String(operand[0]).startsWith('>') || !String(operand[2]).startsWith('<'))) {
    throw new InvalidEventPatternError(`Bad numeric range at ${where}`);
  }
}

function validateAnythingBut(operand: unknown, where: string): void {
  if (isPrimitive(operand) && operand !== null) return;
  if (Array.isArray(operand) && operand.length > 0 && operand.every((value) => typeof value === 'string' || typeof value === 'number')) return;
  if (isPlainObject(operand) && Object.keys(operand).length === 1) {
    const [inner, value] = Object.entries(operand)[0]!;
    if (['prefix', 'suffix'].includes(inner)) return requireString(value, `anything-but/${inner}`, where);
    if (['equals-ignore-case', 'wildcard'].includes(inner)) {
      if (typeof value === 'string' || (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string'))) return;
    }
  }
  throw new InvalidEventPatternError(`Inside anything but list, start|null|boolean is not supported at ${where}`);
}

/** True when the event matches the pattern. */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, event);
}

function fieldOf(value: FieldValue, field: string): FieldValue {
  return isPlainObject(value) && Object.hasOwn(value, field) ? value[field] : MISSING;
}

function matchObject(pattern: Record<string, unknown>, value: FieldValue): boolean {
  for (const [field, expected] of Object.entries(pattern)) {
    if (field === '$or') {
      if (!(expected as Record<string, unknown>[]).some((alternative) => matchObject(alternative, value))) return false;
      continue;
    }
    const actual = fieldOf(value, field);
    if (Array.isArray(expected)) {
      if (!matchLeaf(expected, actual)) return false;
    } else if (Array.isArray(actual)) {
      if (!actual.some((element) => matchObject(expected as Record<string, unknown>, element))) return false;
    } else if (!matchObject(expected as Record<string, unknown>, actual)) {
      return false;
    }
  }
  return true;
}

/** The leaf values of a field: its elements if it is an array (flattened), none if it is missing. */
function leafValues(actual: FieldValue): unknown[] {
  if (actual === MISSING) return [];
  if (Array.isArray(actual)) return actual.flat(Infinity).filter((value) => !isPlainObject(value));
  return isPlainObject(actual) ? [] : [actual];
}

function matchLeaf(matchers: unknown[], actual: FieldValue): boolean {
  const values = leafValues(actual);
  return matchers.some((matcher) => {
    if (isPlainObject(matcher) && 'exists' in matcher) return matcher.exists === values.length > 0;
    return values.some((value) => matchValue(matcher, value));
  });
}

function matchValue(matcher: unknown, value: unknown): boolean {
  if (!isPlainObject(matcher)) return matcher === value;
  const [operator, operand] = Object.entries(matcher)[0]!;
  switch (operator) {
    case 'prefix':
      return matchAffix(operand, value, (text, affix) => text.startsWith(affix));
    case 'suffix':
      return matchAffix(operand, value, (text, affix) => text.endsWith(affix));
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === (operand as string).toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcardRegExp(operand as string).test(value);
    case 'numeric':
      return typeof value === 'number' && matchNumeric(operand as (string | number)[], value);
    case 'cidr':
      return typeof value === 'string' && matchCidr(operand as string, value);
    case 'anything-but':
      return matchAnythingBut(operand, value);
    default:
      return false;
  }
}

function matchAffix(operand: unknown, value: unknown, test: (text: string, affix: string) => boolean): boolean {
  if (typeof value !== 'string') return false;
  if (isPlainObject(operand)) return test(value.toLowerCase(), String(operand['equals-ignore-case']).toLowerCase());
  return test(value, operand as string);
}

function matchAnythingBut(operand: unknown, value: unknown): boolean {
  if (Array.isArray(operand)) return !operand.includes(value);
  if (!isPlainObject(operand)) return operand !== value;
  const [inner, excluded] = Object.entries(operand)[0]!;
  if (typeof value !== 'string') return false;
  const list = Array.isArray(excluded) ? (excluded as string[]) : [excluded as string];
  switch (inner) {
    case 'prefix':
      return !value.startsWith(excluded as string);
    case 'suffix':
      return !value.endsWith(excluded as string);
    case 'equals-ignore-case':
      return !list.some((text) => text.toLowerCase() === value.toLowerCase());
    case 'wildcard':
      return !list.some((text) => wildcardRegExp(text).test(value));
    default:
      return false;
  }
}

function matchNumeric(operand: (string | number)[], value: number): boolean {
  for (let i = 0; i < operand.length; i += 2) {
    const bound = operand[i + 1] as number;
    const holds = { '<': value < bound, '<=': value <= bound, '=': value === bound, '>': value > bound, '>=': value >= bound }[
      operand[i] as '<' | '<=' | '=' | '>' | '>='
    ];
    if (!holds) return false;
  }
  return true;
}

/** `*` matches any run of characters; `\*` is a literal star. */
function wildcardRegExp(wildcard: string): RegExp {
  let source = '';
  for (let i = 0; i < wildcard.length; i += 1) {
    const char = wildcard[i]!;
    if (char === '\\' && wildcard[i + 1] === '*') {
      source += '\\*';
      i += 1;
    } else if (char === '*') {
      source += '.*';
    } else {
      source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

function ipv4ToNumber(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return undefined;
  return parts.reduce((total, part) => total * 256 + Number(part), 0);
}

function parseCidr(cidr: string): { network: number; bits: number } | undefined {
  const [address = '', bitsText = '32'] = cidr.split('/');
  const network = ipv4ToNumber(address);
  const bits = Number(bitsText);
  if (network === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  return { network, bits };
}

function matchCidr(cidr: string, value: string): boolean {
  const range = parseCidr(cidr);
  const address = ipv4ToNumber(value);
  if (!range || address === undefined) return false;
  const size = 2 ** (32 - range.bits);
  return Math.floor(address / size) === Math.floor(range.network / size);
}
