/**
 * The environment of each function from its bindings: the same variable names CDK's bind methods set,
 * with the local cloud's values.
 */
import { BINDING_ENV, type FunctionSpec } from '#contract/index';

/** Values of every binding variable in one deployment (table names, ARNs, ...). */
export type BindingValues = Record<string, string>;

/** Exactly the variables of the function's bindings, each with its deployment value. */
export function functionEnvironment(spec: FunctionSpec, values: BindingValues): Record<string, string> {
  const env: Record<string, string> = {};
  for (const binding of spec.bindings) {
    for (const name of BINDING_ENV[binding]) {
      const value = values[name];
      if (value === undefined) throw new Error(`No local value for ${name} (binding ${binding} of ${spec.role})`);
      env[name] = value;
    }
  }
  return env;
}
