/**
 * JSONPath as ASL uses it: paths on the state input (`$...`) or on the context object (`$$...`),
 * reference paths for ResultPath, and the InputPath/OutputPath filters.
 */
import { JSONPath } from 'jsonpath-plus';
import { StatesResultPathMatchFailureError, StatesRuntimeError } from './errors.ts';
import { cloneJson, isJsonObject, type JsonValue } from './json.ts';

/** What a path may read: the state's input and the context object. */
export interface PathScope {
  input: JsonValue;
  context: JsonValue;
}

/** A path that selects one node (no wildcard, filter, slice, union or descent). */
export function isDefinitePath(path: string): boolean {
  return !/\.\.|\*|\?\(|\[[^\]]*[:,][^\]]*\]|@/.test(path.replace(/'[^']*'/g, "''"));
}

/** Evaluates `path` on `data`; `found` is false when a definite path selects nothing. */
export function queryPath(path: string, data: JsonValue): { found: boolean; value: JsonValue } {
  if (path === '$') return { found: true, value: data };
  if (data === null || typeof data !== 'object') return { found: false, value: null };
  const results = JSONPath({ path, json: data, wrap: true, eval: 'safe' }) as JsonValue[];
  if (isDefinitePath(path)) {
    return results.length === 0 ? { found: false, value: null } : { found: true, value: results[0] as JsonValue };
  }
  return { found: true, value: results };
}

/** Reads `$...` from the input or `$$...` from the context object; throws States.Runtime when nothing matches. */
export function readPath(path: string, scope: PathScope, what = 'path'): JsonValue {
  const onContext = path.startsWith('$$');
  const { found, value } = onContext ? queryPath(path.slice(1), scope.context) : queryPath(path, scope.input);
  if (!found) {
    throw new StatesRuntimeError(`The JSONPath '${path}' specified for the ${what} could not be found in the input`);
  }
  return cloneJson(value);
}

/** Whether a path selects something (Choice's IsPresent). */
export function pathExists(path: string, scope: PathScope): boolean {
  const onContext = path.startsWith('$$');
  return (onContext ? queryPath(path.slice(1), scope.context) : queryPath(path, scope.input)).found;
}

/** InputPath/OutputPath: `null` gives `{}`, absent keeps the value, a path selects from it. */
export function filterPath(path: string | null | undefined, value: JsonValue, field: 'InputPath' | 'OutputPath'): JsonValue {
  if (path === undefined) return value;
  if (path === null) return {};
  return readPath(path, { input: value, context: null }, field);
}

/** The steps of a reference path (`$.a.b`, `$['a'][0]`). */
export function parseReferencePath(path: string): (string | number)[] {
  if (!path.startsWith('$')) throw new StatesRuntimeError(`'${path}' is not a reference path`);
  const steps: (string | number)[] = [];
  const pattern = /\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]/gy;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const start = pattern.lastIndex;
    const match = pattern.exec(path);
    if (!match || match.index !== start) throw new StatesRuntimeError(`'${path}' is not a valid reference path`);
    if (match[1] !== undefined) steps.push(match[1]);
    else if (match[2] !== undefined) steps.push(match[2].replace(/\\(.)/g, '$1'));
    else steps.push(Number(match[3]));
  }
  return steps;
}

/** ResultPath: where the result goes in the input; `null` discards it, `$` replaces the input. */
export function applyResultPath(input: JsonValue, result: JsonValue, resultPath: string | null | undefined): JsonValue {
  if (resultPath === null) return input;
  if (resultPath === undefined || resultPath === '$') return result;
  const steps = parseReferencePath(resultPath);
  if (!isJsonObject(input)) {
    throw new StatesResultPathMatchFailureError(`Unable to apply ResultPath '${resultPath}' to input that is not an object`);
  }
  const output = cloneJson(input);
  let node: JsonValue = output;
  steps.forEach((step, index) => {
    const last = index === steps.length - 1;
    if (typeof step === 'number' || !isJsonObject(node)) {
      throw new StatesResultPathMatchFailureError(`Unable to apply ResultPath '${resultPath}' to the input`);
    }
    if (last) {
      node[step] = result;
      return;
    }
    if (node[step] === undefined) node[step] = {};
    node = node[step] as JsonValue;
  });
  return output;
}
