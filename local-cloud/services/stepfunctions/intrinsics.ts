/**
 * Intrinsic functions (`States.Format('{}', $.x)`, ...): a parser for the call syntax and one
 * implementation per function, dispatched through a map.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { StatesIntrinsicFailureError } from './errors.ts';
import { isJsonObject, type JsonValue } from './json.ts';
import { readPath, type PathScope } from './paths.ts';

type Argument =
  | { kind: 'literal'; value: JsonValue; raw?: string }
  | { kind: 'path'; path: string }
  | { kind: 'call'; name: string; args: Argument[] };

/** Whether a `.$` value is an intrinsic call rather than a path. */
export function isIntrinsicCall(text: string): boolean {
  return /^States\.[A-Za-z0-9]+\(/.test(text.trim());
}

/** Parses and evaluates an intrinsic function call against the input and context. */
export function evaluateIntrinsic(text: string, scope: PathScope): JsonValue {
  const parser = new CallParser(text.trim());
  const call = parser.parseCall();
  parser.expectEnd();
  return evaluate(call, scope);
}

class CallParser {
  private at = 0;
  constructor(private readonly text: string) {}

  parseCall(): Argument & { kind: 'call' } {
    const name = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.at))?.[0];
    if (!name) this.fail('expected an intrinsic function name');
    this.at += name.length;
    this.skipSpaces();
    this.expect('(');
    const args: Argument[] = [];
    this.skipSpaces();
    if (this.peek() !== ')') {
      for (;;) {
        args.push(this.parseArgument());
        this.skipSpaces();
        if (this.peek() === ',') {
          this.at++;
          continue;
        }
        break;
      }
    }
    this.expect(')');
    return { kind: 'call', name, args };
  }

  expectEnd(): void {
    this.skipSpaces();
    if (this.at !== this.text.length) this.fail('unexpected text after the call');
  }

  private parseArgument(): Argument {
    this.skipSpaces();
    const rest = this.text.slice(this.at);
    if (rest.startsWith("'")) return this.parseString();
    if (rest.startsWith('$')) return { kind: 'path', path: this.parsePath() };
    if (rest.startsWith('States.')) return this.parseCall();
    const literal = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(rest)?.[0];
    if (!literal) this.fail('expected an argument');
    this.at += literal.length;
    return { kind: 'literal', value: JSON.parse(literal) as JsonValue };
  }

  private parseString(): Argument {
    const start = ++this.at;
    let value = '';
    while (this.at < this.text.length) {
      const ch = this.text[this.at]!;
      if (ch === '\\') {
        const escaped = this.text[this.at + 1];
        if (escaped === undefined) this.fail('unfinished escape');
        value += escaped;
        this.at += 2;
        continue;
      }
      if (ch === "'") {
        const raw = this.text.slice(start, this.at);
        this.at++;
        return { kind: 'literal', value, raw };
      }
      value += ch;
      this.at++;
    }
    this.fail('unterminated string');
  }

  private parsePath(): string {
    const start = this.at;
    let depth = 0;
    let quoted = false;
    while (this.at < this.text.length) {
      const ch = this.text[this.at]!;
      if (quoted) {
        if (ch === "'") quoted = false;
      } else if (ch === "'") quoted = true;
      else if (ch === '[' || ch === '(') depth++;
      else if (ch === ']' || ch === ')') {
        if (depth === 0) break;
        depth--;
      } else if (ch === ',' && depth === 0) break;
      this.at++;
    }
    return this.text.slice(start, this.at).trim();
  }

  private skipSpaces(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  private peek(): string | undefined {
    return this.text[this.at];
  }

  private expect(ch: string): void {
    if (this.text[this.at] !== ch) this.fail(`expected '${ch}'`);
    this.at++;
  }

  private fail(why: string): never {
    throw new StatesIntrinsicFailureError(`Invalid intrinsic function call '${this.text}': ${why} at ${this.at}`);
  }
}

function evaluate(arg: Argument, scope: PathScope): JsonValue {
  if (arg.kind === 'literal') return arg.value;
  if (arg.kind === 'path') return readPath(arg.path, scope, 'intrinsic function argument');
  const fn = INTRINSICS[arg.name];
  if (!fn) throw new StatesIntrinsicFailureError(`Unsupported intrinsic function ${arg.name}`);
  const values = arg.args.map((a) => evaluate(a, scope));
  return fn(values, arg.args);
}

type Intrinsic = (args: JsonValue[], raw: Argument[]) => JsonValue;

function fail(name: string, why: string): never {
  throw new StatesIntrinsicFailureError(`${name}: ${why}`);
}

function arity(name: string, args: JsonValue[], min: number, max = min): void {
  if (args.length < min || args.length > max) fail(name, `expects ${min === max ? min : `${min}-${max}`} arguments, got ${args.length}`);
}

function arrayArg(name: string, value: JsonValue | undefined): JsonValue[] {
  if (!Array.isArray(value)) fail(name, 'expects an array');
  return value;
}

function numberArg(name: string, value: JsonValue | undefined, integer = false): number {
  if (typeof value !== 'number' || (integer && !Number.isInteger(value))) fail(name, `expects ${integer ? 'an integer' : 'a number'}`);
  return value;
}

function stringArg(name: string, value: JsonValue | undefined): string {
  if (typeof value !== 'string') fail(name, 'expects a string');
  return value;
}

const HASH_ALGORITHMS: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** The intrinsic functions, by name. */
const INTRINSICS: Record<string, Intrinsic> = {
  'States.Format': (args, raw) => {
    const template = raw[0];
    if (!template || template.kind !== 'literal' || typeof template.value !== 'string') fail('States.Format', 'expects a string template first');
    const source = template.raw ?? template.value;
    const pieces = source.split(/(?<!\\)\{\}/);
    if (pieces.length - 1 !== args.length - 1) fail('States.Format', `the template has ${pieces.length - 1} placeholders for ${args.length - 1} arguments`);
    const unescape = (s: string) => s.replace(/\\(.)/g, '$1');
    return pieces
      .map((piece, i) => {
        const value = i === 0 ? undefined : args[i];
        const text = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
        return text + unescape(piece);
      })
      .join('');
  },
  'States.StringToJson': (args) => {
    arity('States.StringToJson', args, 1);
    try {
      return JSON.parse(stringArg('States.StringToJson', args[0])) as JsonValue;
    } catch (error) {
      throw new StatesIntrinsicFailureError('States.StringToJson: the argument is not valid JSON', { cause: error });
    }
  },
  'States.JsonToString': (args) => {
    arity('States.JsonToString', args, 1);
    return JSON.stringify(args[0]);
  },
  'States.Array': (args) => args,
  'States.ArrayPartition': (args) => {
    arity('States.ArrayPartition', args, 2);
    const items = arrayArg('States.ArrayPartition', args[0]);
    const size = numberArg('States.ArrayPartition', args[1], true);
    if (size <= 0) fail('States.ArrayPartition', 'the chunk size must be positive');
    const chunks: JsonValue[] = [];
    for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
    return chunks;
  },
  'States.ArrayContains': (args) => {
    arity('States.ArrayContains', args, 2);
    const needle = JSON.stringify(args[1]);
    return arrayArg('States.ArrayContains', args[0]).some((item) => JSON.stringify(item) === needle);
  },
  'States.ArrayRange': (args) => {
    arity('States.ArrayRange', args, 3);
    const [start, end, step] = args.map((a) => numberArg('States.ArrayRange', a, true)) as [number, number, number];
    if (step === 0) fail('States.ArrayRange', 'the step must not be 0');
    const out: number[] = [];
    for (let n = start; step > 0 ? n <= end : n >= end; n += step) {
      out.push(n);
      if (out.length > 1000) fail('States.ArrayRange', 'more than 1000 items');
    }
    return out;
  },
  'States.ArrayGetItem': (args) => {
    arity('States.ArrayGetItem', args, 2);
    const item = arrayArg('States.ArrayGetItem', args[0])[numberArg('States.ArrayGetItem', args[1], true)];
    if (item === undefined) fail('States.ArrayGetItem', 'index out of bounds');
    return item;
  },
  'States.ArrayLength': (args) => {
    arity('States.ArrayLength', args, 1);
    return arrayArg('States.ArrayLength', args[0]).length;
  },
  'States.ArrayUnique': (args) => {
    arity('States.ArrayUnique', args, 1);
    const seen = new Set<string>();
    return arrayArg('States.ArrayUnique', args[0]).filter((item) => {
      const key = JSON.stringify(item);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  },
  'States.Base64Encode': (args) => {
    arity('States.Base64Encode', args, 1);
    return Buffer.from(stringArg('States.Base64Encode', args[0]), 'utf8').toString('base64');
  },
  'States.Base64Decode': (args) => {
    arity('States.Base64Decode', args, 1);
    return Buffer.from(stringArg('States.Base64Decode', args[0]), 'base64').toString('utf8');
  },
  'States.Hash': (args) => {
    arity('States.Hash', args, 2);
    const algorithm = HASH_ALGORITHMS[stringArg('States.Hash', args[1])];
    if (!algorithm) fail('States.Hash', `unknown algorithm ${String(args[1])}`);
    const data = typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]);
    return createHash(algorithm).update(data).digest('hex');
  },
  'States.JsonMerge': (args) => {
    arity('States.JsonMerge', args, 3);
    const [left, right, deep] = args;
    if (!isJsonObject(left) || !isJsonObject(right)) fail('States.JsonMerge', 'expects two objects');
    if (deep !== false) fail('States.JsonMerge', 'only a shallow merge (false) is supported');
    return { ...left, ...right };
  },
  'States.MathRandom': (args) => {
    arity('States.MathRandom', args, 2, 3);
    const start = numberArg('States.MathRandom', args[0], true);
    const end = numberArg('States.MathRandom', args[1], true);
    if (end <= start) fail('States.MathRandom', 'the end must be greater than the start');
    return randomInt(start, end);
  },
  'States.MathAdd': (args) => {
    arity('States.MathAdd', args, 2);
    return numberArg('States.MathAdd', args[0]) + numberArg('States.MathAdd', args[1]);
  },
  'States.StringSplit': (args) => {
    arity('States.StringSplit', args, 2);
    const text = stringArg('States.StringSplit', args[0]);
    const delimiters = [...stringArg('States.StringSplit', args[1])];
    if (delimiters.length === 0) return [text];
    const pattern = new RegExp(`[${delimiters.map((d) => d.replace(/[\\\]^-]/g, '\\$&')).join('')}]`);
    return text.split(pattern).filter((part) => part !== '');
  },
  'States.UUID': (args) => {
    arity('States.UUID', args, 0);
    return randomUUID();
  },
};
