import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { callbackOfParameters, findOpenCallback } from '#helpers/find-open-callback';
import onAirHistory from '../../../../fixtures/events/execution-history-on-air.json' with { type: 'json' };
import readyHistory from '../../../../fixtures/events/execution-history-waiting-for-ready.json' with { type: 'json' };
import lambdaRunningHistory from '../../../../fixtures/events/execution-history-lambda-running.json' with { type: 'json' };

const eventsOf = (fixture: { events: unknown[] }) => fixture.events as HistoryEvent[];

describe('Helper: findOpenCallback', () => {
  it('finds the ON_AIR token of an execution waiting in OnAir', () => {
    const search = findOpenCallback(eventsOf(onAirHistory));

    expect(search).toEqual({ decided: true, callback: { kind: 'ON_AIR', taskToken: expect.stringMatching(/^AQCE/), scheduledEventId: expect.any(Number) } });
  });

  it('finds the READY token when MessageBody was recorded as a JSON string', () => {
    const search = findOpenCallback(eventsOf(readyHistory));

    expect(search).toMatchObject({ decided: true, callback: { kind: 'READY' } });
  });

  it('finds nothing while a Lambda step runs, even though an earlier callback is in the history', () => {
    expect(findOpenCallback(eventsOf(lambdaRunningHistory))).toEqual({ decided: true });
  });

  it('finds nothing once the callback succeeded, failed or timed out', () => {
    for (const type of ['TaskSucceeded', 'TaskFailed', 'TaskTimedOut'] as const) {
      const closed = [{ id: 99, type } as HistoryEvent, ...eventsOf(onAirHistory)];
      expect(findOpenCallback(closed)).toEqual({ decided: true });
    }
  });

  it('finds nothing in a finished execution', () => {
    expect(findOpenCallback([{ id: 100, type: 'ExecutionSucceeded' } as HistoryEvent, ...eventsOf(onAirHistory)])).toEqual({ decided: true });
  });

  it('is undecided when the events read do not reach a scheduled task', () => {
    expect(findOpenCallback([{ id: 5, type: 'TaskStarted' } as HistoryEvent])).toEqual({ decided: false });
  });

  it('reads no token from parameters that are not JSON or lack one', () => {
    expect(callbackOfParameters('not json')).toBeUndefined();
    expect(callbackOfParameters(JSON.stringify({ MessageBody: { callback: 'ON_AIR' } }))).toBeUndefined();
    expect(callbackOfParameters(JSON.stringify({ MessageBody: { callback: 'DANCE', taskToken: 't' } }))).toBeUndefined();
  });
});
