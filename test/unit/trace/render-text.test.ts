import { describe, expect, it } from 'vitest';
import { buildTrace } from '#trace/trace-model';
import { causeText, formatDuration, renderEventLine, renderText, table } from '#trace/render-text';
import { renderJson } from '#trace/render-json';
import { loadFixture } from './fixtures.ts';

describe('Function: renderText', () => {
  it('lists the states in order with start, duration and outcome, one row each', () => {
    const text = renderText(buildTrace(loadFixture('ended-by-host')));
    const order = ['CreateStage', 'StartController', 'WaitForReady', 'GoLive', 'OnAir', 'Teardown'].map((name) =>
      text.search(new RegExp(`^\\s+\\d+\\s+${name}\\s`, 'm')),
    );
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain('ENDED (ENDED_BY_HOST: The host ended the show.)');
    expect(text).toMatch(/^\s+5\s+OnAir\s+\S+Z\s+\d.*succeeded$/m);
    expect(text).toContain('Controller restarts 0');
  });

  it('shows the restart and its cause for a killed controller', () => {
    const text = renderText(buildTrace(loadFixture('controller-restarted')));
    expect(text).toContain('Controller restarts 1');
    expect(text).toMatch(/lost \S+Z {2}Shelcaster\.ControllerStopped: Controller task stopped/);
    expect(text).toMatch(/OnAir .* caught \(Shelcaster\.ControllerStopped/);
    expect(text).toMatch(/^\s+8\s+ReplaceController\s/m);
  });

  it('shows the commands with their latency, and says where heartbeats are counted', () => {
    const text = renderText(buildTrace(loadFixture('ended-by-host')));
    expect(text).toMatch(/PLAY_MEDIA\s+APPLIED\s+\d+ ms/);
    expect(text).toContain('Heartbeats          0 sent, 0 failed');
    expect(text).toContain('Step Functions history records no heartbeats');
  });
});

describe('Function: formatDuration', () => {
  it('reads as milliseconds, seconds, minutes or hours', () => {
    expect(formatDuration(840)).toBe('840 ms');
    expect(formatDuration(12_400)).toBe('12.4 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(7_260_000)).toBe('2 h 01 min');
    expect(formatDuration(undefined)).toBe('-');
  });
});

describe('Function: table', () => {
  it('pads each column to its widest cell', () => {
    expect(table(['a', 'bb'], [['ccc', 'd']])).toEqual(['a    bb', 'ccc  d']);
  });
});

describe('Function: renderEventLine', () => {
  it('names the state of a state event and the error of a failure', () => {
    const { events } = loadFixture('controller-restarted');
    expect(renderEventLine(events[1]!)).toMatch(/Z\s+2\s+TaskStateEntered\s+CreateStage$/);
    const failure = events.find((e) => e.type === 'TaskFailed')!;
    expect(renderEventLine(failure)).toContain('TaskFailed  Shelcaster.ControllerStopped: Controller task stopped');
  });
});

describe('Function: renderJson', () => {
  it('is the trace as JSON that parses back to the same trace', () => {
    const trace = buildTrace(loadFixture('controller-restarted'));
    expect(JSON.parse(renderJson(trace))).toEqual(trace);
  });
});

describe('Function: causeText', () => {
  it('shortens a Lambda error document to its message and leaves other causes alone', () => {
    const document = JSON.stringify({ errorType: 'Shelcaster.SessionEnded', errorMessage: 'Session s was ended by the host.', trace: ['at goLive (go-live.ts:52:41)'] });
    expect(causeText(document)).toBe('Session s was ended by the host.');
    expect(causeText('Controller task stopped')).toBe('Controller task stopped');
    expect(causeText('{not json')).toBe('{not json');
    expect(causeText(undefined)).toBeUndefined();
  });
});
