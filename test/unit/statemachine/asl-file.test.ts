/**
 * The ASL file itself: valid for asl-validator, its states where the contract says, and the error handling
 * issue 3 asks of every Task state.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ASL_FILE, CALLBACK_STATES, FUNCTION_SUBSTITUTIONS, STATES } from '#contract/index';

interface AslState {
  Type: string;
  Resource?: string;
  Next?: string;
  Default?: string;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  TimeoutSecondsPath?: string;
  HeartbeatSecondsPath?: string;
  Parameters?: Record<string, unknown>;
}
interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
}

// asl-validator is CommonJS without type declarations; this is its documented signature.
const aslValidator = createRequire(import.meta.url)('asl-validator') as (d: unknown) => { isValid: boolean; errors: unknown[] };

const text = readFileSync(ASL_FILE, 'utf8');
const definition = JSON.parse(text) as AslDefinition;
const states = definition.States;

describe('State machine: statemachines/session-lifecycle.asl.json', () => {
  it('passes asl-validator', () => {
    const result = aslValidator(JSON.parse(text));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('has exactly the states the contract names', () => {
    expect(Object.keys(states).sort()).toEqual(Object.values(STATES).sort());
  });

  it('runs CreateStage → StartController → WaitForReady → GoLive → OnAir → Teardown on the happy path', () => {
    const path: string[] = [definition.StartAt];
    for (let name = definition.StartAt; name !== 'Teardown'; ) {
      const next = states[name]?.Next;
      if (!next) throw new Error(`${name} has no Next`);
      path.push(next);
      name = next;
    }
    expect(path).toEqual(['CreateStage', 'StartController', 'WaitForReady', 'GoLive', 'OnAir', 'Teardown']);
  });

  it('uses only the substitutions the contract defines, each at least once', () => {
    const used = new Set([...text.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(Object.keys(FUNCTION_SUBSTITUTIONS).sort());
  });

  it('retries transient errors and catches everything else in every Task state but Teardown', () => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type !== 'Task' || name === 'Teardown') continue;
      expect(state.Retry?.length, `${name} retries`).toBeGreaterThan(0);
      const catchAll = state.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'));
      expect(catchAll, `${name} catches States.ALL`).toBeDefined();
      expect(['Teardown', 'ControllerLost']).toContain(catchAll?.Next);
    }
  });

  it('retries Teardown on any error and fails the execution only after that', () => {
    expect(states.Teardown?.Retry?.[0]?.ErrorEquals).toEqual(['States.ALL']);
    expect(states.Teardown?.Catch?.[0]?.Next).toBe('TeardownFailed');
  });

  it('sends each callback token to the session queue with a timeout, and heartbeats OnAir', () => {
    for (const [name, kind] of Object.entries(CALLBACK_STATES)) {
      const state = states[name];
      expect(state?.Resource).toBe('arn:aws:states:::sqs:sendMessage.waitForTaskToken');
      expect(state?.TimeoutSecondsPath).toBeDefined();
      const body = state?.Parameters?.MessageBody as Record<string, unknown>;
      expect(body.callback).toBe(kind);
      expect(body['taskToken.$']).toBe('$$.Task.Token');
      expect(state?.Parameters?.MessageGroupId).toBe('callbacks');
    }
    expect(states.OnAir?.HeartbeatSecondsPath).toBe('$.limits.heartbeatSeconds');
  });

  it('puts no task token anywhere but a callback message body', () => {
    const mentions = [...text.matchAll(/\$\$\.Task\.Token/g)].length;
    expect(mentions).toBe(Object.keys(CALLBACK_STATES).length);
  });
});
