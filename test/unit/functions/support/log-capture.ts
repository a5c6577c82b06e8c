/** Captures the JSON lines the functions' Powertools Logger prints, to check what is (and is not) logged. */
import { vi } from 'vitest';
import { logger } from '#commons/powertools';

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';

/** Starts capturing (the test environment logs at DEBUG); `text()` gives every line printed so far. */
export function captureLogs(): { text: () => string; lines: () => Record<string, unknown>[]; restore: () => void } {
  const printed: string[] = [];
  // The Logger prints through its own Console instance (a public field, not part of its typed API).
  const target = (logger as unknown as { console: Record<ConsoleMethod, (...args: unknown[]) => void> }).console;
  const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
    vi.spyOn(target, method).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' '))),
  );
  return {
    text: () => printed.join('\n'),
    lines: () => printed.map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}
