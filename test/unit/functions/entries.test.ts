import { afterAll, describe, expect, it, vi } from 'vitest';
import { fileURLToPath } from 'node:url';
import { BINDING_ENV, FUNCTIONS } from '#contract/index';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bindingVariables = [...new Set(Object.values(BINDING_ENV).flat())];
const saved = Object.fromEntries(bindingVariables.map((name) => [name, process.env[name]]));

/** Sets exactly the variables the function's bindings give it (as CDK and the local cloud do). */
function environmentOf(spec: (typeof FUNCTIONS)[number]): string[] {
  for (const name of bindingVariables) delete process.env[name];
  const names = spec.bindings.flatMap((binding) => BINDING_ENV[binding]);
  // Values the functions check at cold start must have their shape; the others are any text.
  const shaped: Record<string, string> = {
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:shelcaster-session-lifecycle',
    WARM_POOL_SIZE: '1',
  };
  for (const name of names) process.env[name] = shaped[name] ?? `value-of-${name.toLowerCase()}`;
  return names;
}

afterAll(() => {
  for (const [name, value] of Object.entries(saved)) if (value === undefined) delete process.env[name];
  else process.env[name] = value;
});

describe('Functions: entries of the contract', () => {
  it.each(FUNCTIONS.map((spec) => [spec.role, spec] as const))('%s loads with only the environment of its bindings', async (_role, spec) => {
    environmentOf(spec);
    vi.resetModules();

    const module = (await import(`${root}${spec.entry}`)) as { handler?: unknown };

    expect(typeof module.handler).toBe('function');
  });

  it.each(FUNCTIONS.filter((spec) => spec.bindings.some((b) => BINDING_ENV[b].length > 0)).map((spec) => [spec.role, spec] as const))(
    '%s fails its cold start when a bound variable is missing',
    async (_role, spec) => {
      const names = environmentOf(spec);
      // The sessions table is read by every function; other bindings are read by the modules that need them.
      delete process.env[names[0] ?? ''];
      vi.resetModules();

      await expect(import(`${root}${spec.entry}`)).rejects.toMatchObject({ name: 'MissingEnvironmentVariableError' });
    },
  );
});
