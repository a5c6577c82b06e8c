/** What a rule's target receives: the event, or its `Input`, `InputPath` or `InputTransformer` (as EventBridge applies them). */
import { JSONPath } from 'jsonpath-plus';
import type { RuleTarget } from './store.ts';

/** Selects a value of the event by JSONPath (`$.detail.taskArn`). */
function select(path: string, event: Record<string, unknown>): unknown {
  return JSONPath({ path, json: event, wrap: false, eval: false }) as unknown;
}

/** Fills an input template: `<name>` becomes the selected value (strings raw, other values as JSON). */
function transform(template: string, paths: Record<string, string>, event: Record<string, unknown>, ruleName: string): unknown {
  const values: Record<string, unknown> = { 'aws.events.rule-name': ruleName, 'aws.events.event.json': event };
  for (const [name, path] of Object.entries(paths)) values[name] = select(path, event);
  const filled = template.replace(/<([\w.-]+)>/g, (placeholder, name: string) => {
    if (!(name in values)) return placeholder;
    const value = values[name];
    if (value === undefined) return 'null';
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
  try {
    return JSON.parse(filled) as unknown;
  } catch {
    return filled;
  }
}

/** The payload a target receives for an event. */
export function targetInput(target: RuleTarget, event: Record<string, unknown>, ruleName: string): unknown {
  if (target.Input !== undefined) return JSON.parse(target.Input) as unknown;
  if (target.InputPath !== undefined) return select(target.InputPath, event) ?? null;
  if (target.InputTransformer) {
    return transform(target.InputTransformer.InputTemplate, target.InputTransformer.InputPathsMap ?? {}, event, ruleName);
  }
  return event;
}
