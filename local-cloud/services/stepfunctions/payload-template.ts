/**
 * Payload templates (Parameters, ResultSelector, Pass's Parameters): keys ending in `.$` take their value
 * from a path or an intrinsic function; every other value is copied.
 */
import { evaluateIntrinsic, isIntrinsicCall } from './intrinsics.ts';
import { StatesRuntimeError } from './errors.ts';
import { isJsonObject, type JsonValue } from './json.ts';
import { readPath, type PathScope } from './paths.ts';

/** Builds the value a payload template describes, from the state's input and the context object. */
export function resolvePayloadTemplate(template: JsonValue, scope: PathScope): JsonValue {
  if (Array.isArray(template)) return template.map((item) => resolvePayloadTemplate(item, scope));
  if (!isJsonObject(template)) return template;
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) {
      const field = key.slice(0, -2);
      if (typeof value !== 'string') throw new StatesRuntimeError(`The value of the field '${key}' must be a path or an intrinsic function`);
      out[field] = isIntrinsicCall(value) ? evaluateIntrinsic(value, scope) : readPath(value, scope, `field '${key}'`);
    } else {
      out[key] = resolvePayloadTemplate(value, scope);
    }
  }
  return out;
}
