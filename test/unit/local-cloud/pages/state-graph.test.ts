import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ASL_FILE, STATES } from '#contract/index';
import { definitionGraph, END_NODE, renderStateGraph, stateStatuses, STATUS_COLOURS } from '#local-cloud/pages/state-graph';
import { stateVisits } from '#trace/trace-model';
import { loadFixture } from '#test/unit/trace/fixtures';

const definition = readFileSync(ASL_FILE, 'utf8');

describe('Function: definitionGraph', () => {
  it('has a node per state of the session lifecycle and its transitions of every kind', () => {
    const graph = definitionGraph(definition);
    expect(graph.startAt).toBe(STATES.CreateStage);
    expect(graph.states.map((s) => s.name).sort()).toEqual(Object.values(STATES).sort());
    expect(graph.edges).toContainEqual({ from: 'CreateStage', to: 'StartController', kind: 'next' });
    expect(graph.edges).toContainEqual({ from: 'OnAir', to: 'ControllerLost', kind: 'catch' });
    expect(graph.edges).toContainEqual({ from: 'ReplaceOrEnd', to: 'ReplaceController', kind: 'choice' });
    expect(graph.edges).toContainEqual({ from: 'ReplaceOrEnd', to: 'Teardown', kind: 'default' });
    expect(graph.edges).toContainEqual({ from: 'SessionFailed', to: END_NODE, kind: 'end' });
  });

  it('draws one edge per distinct transition (two Catch rules to one state are one edge)', () => {
    const graph = definitionGraph(JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Next: 'B', Catch: [{ Next: 'B' }, { Next: 'B' }] }, B: { Type: 'Pass', End: true } } }));
    expect(graph.edges).toEqual([
      { from: 'A', to: 'B', kind: 'next' },
      { from: 'A', to: 'B', kind: 'catch' },
      { from: 'B', to: END_NODE, kind: 'end' },
    ]);
  });
});

describe('Function: stateStatuses', () => {
  it('keeps the last outcome of a state entered twice and counts the caught visit', () => {
    const statuses = stateStatuses(stateVisits(loadFixture('controller-restarted').events));
    expect(statuses.get(STATES.OnAir)).toEqual({ status: 'caught', visits: 1, caught: 1 });
    expect(statuses.get(STATES.ReplaceController)).toEqual({ status: 'succeeded', visits: 1, caught: 0 });
    expect(statuses.has(STATES.SessionFailed)).toBe(false);
  });
});

describe('Function: renderStateGraph', () => {
  const svg = renderStateGraph(definition, stateStatuses(stateVisits(loadFixture('controller-restarted').events)));

  it('colours each state by what happened, and states never entered as such', () => {
    const status = (name: string) => new RegExp(`data-state="${name}" data-status="(\\w+)"`).exec(svg)?.[1];
    expect(status('OnAir')).toBe('caught');
    expect(status('GoLive')).toBe('succeeded');
    expect(status('TeardownFailed')).toBe('notEntered');
    expect(svg).toContain(`fill="${STATUS_COLOURS.caught.fill}"`);
  });

  it('lays every node out inside the drawing and draws every edge as a path of points', () => {
    const [, width, height] = /viewBox="0 0 (\d+) (\d+)"/.exec(svg)!.map(Number);
    const rects = [...svg.matchAll(/<rect x="([\d.-]+)" y="([\d.-]+)" width="([\d.]+)" height="(\d+)"/g)].map((m) => m.slice(1).map(Number));
    expect(rects).toHaveLength(Object.keys(STATES).length);
    for (const [x, y, w, h] of rects) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(x! + w!).toBeLessThanOrEqual(width!);
      expect(y! + h!).toBeLessThanOrEqual(height!);
    }
    const paths = [...svg.matchAll(/<path class="edge[^"]*"[^>]* d="([^"]+)"/g)].map((m) => m[1]!);
    expect(paths.length).toBe(definitionGraph(definition).edges.length + 1);
    expect(paths.every((d) => /^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/.test(d))).toBe(true);
  });

  it('escapes state names', () => {
    const odd = renderStateGraph(JSON.stringify({ StartAt: '<b>', States: { '<b>': { Type: 'Succeed' } } }), new Map());
    expect(odd).toContain('&lt;b&gt;');
    expect(odd).not.toContain('<b>');
  });
});
