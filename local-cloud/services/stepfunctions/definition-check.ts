/**
 * CreateStateMachine's check of a definition: asl-validator's programmatic API, then what this
 * interpreter can run (see the provider's LIMITATIONS).
 */
import { createRequire } from 'node:module';
import type { StateMachineDefinition } from './asl-types.ts';
import { isJsonObject } from './json.ts';
import { parseResource, SUPPORTED_RESOURCES } from './task-resources.ts';

interface AslValidation {
  isValid: boolean;
  errorsText: (separator?: string) => string;
}
// asl-validator is CommonJS and ships no type declarations; this is its documented signature.
const aslValidator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => AslValidation;

const RUNNABLE_TYPES = new Set(['Task', 'Choice', 'Pass', 'Wait', 'Succeed', 'Fail']);

/** Problems with a definition, empty when it is valid and runnable here. */
export function checkDefinition(text: string): { definition?: StateMachineDefinition; problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { problems: [`The definition is not valid JSON: ${(error as Error).message}`] };
  }
  if (!isJsonObject(parsed)) return { problems: ['The definition must be a JSON object'] };
  const validation = aslValidator(structuredClone(parsed));
  if (!validation.isValid) return { problems: [validation.errorsText('; ')] };
  const definition = parsed as unknown as StateMachineDefinition;
  const problems: string[] = [];
  if (definition.QueryLanguage !== undefined && definition.QueryLanguage !== 'JSONPath') {
    problems.push(`QueryLanguage ${definition.QueryLanguage} is not supported by the local cloud`);
  }
  for (const [name, state] of Object.entries(definition.States)) {
    const raw = state as unknown as Record<string, unknown>;
    if (!RUNNABLE_TYPES.has(String(raw.Type))) problems.push(`State ${name}: Type ${String(raw.Type)} is not supported by the local cloud`);
    if (raw.QueryLanguage !== undefined && raw.QueryLanguage !== 'JSONPath') problems.push(`State ${name}: only JSONPath is supported`);
    if (raw.Type === 'Task' && !parseResource(String(raw.Resource))) {
      problems.push(`State ${name}: Resource ${String(raw.Resource)} is not supported by the local cloud (supported: ${SUPPORTED_RESOURCES.join(', ')})`);
    }
  }
  return { definition, problems };
}
