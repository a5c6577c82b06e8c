/**
 * The state machine drawn as the Step Functions console draws it: a node per state, an edge per transition
 * (Next, Default, Choices, Catch; End to the end node), laid out with dagre, coloured by what the execution
 * did in each state, rendered as SVG.
 *
 * LIMITATIONS: top-level states only (no Parallel branches or Map item processors drawn inside their state).
 */
import { Graph, layout } from '@dagrejs/dagre';
import type { StateOutcome, StateVisit } from '#trace/trace-model';
import { escapeHtml } from './html.ts';

/** What happened in a state, for its colour: its last visit's outcome, or not entered. */
export type StateStatus = StateOutcome | 'notEntered';

export interface GraphEdge {
  from: string;
  to: string;
  kind: 'next' | 'choice' | 'default' | 'catch' | 'end';
}

interface AslState {
  Type?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next?: string }[];
  Catch?: { Next?: string }[];
}

/** Name of the start and end nodes (not states; Step Functions' console shows them as Start and End). */
export const START_NODE = 'Start';
export const END_NODE = 'End';

/** The colour of each status (fill, stroke), as the Step Functions console shows them. */
export const STATUS_COLOURS: Record<StateStatus, { fill: string; stroke: string; label: string }> = {
  succeeded: { fill: '#d6f5d6', stroke: '#037f0c', label: 'Succeeded' },
  caught: { fill: '#ffe7c2', stroke: '#c25400', label: 'Caught error' },
  failed: { fill: '#ffd6d6', stroke: '#d91515', label: 'Failed' },
  running: { fill: '#d1eaff', stroke: '#0972d3', label: 'In progress' },
  aborted: { fill: '#eeeeee', stroke: '#5f6b7a', label: 'Aborted' },
  notEntered: { fill: '#ffffff', stroke: '#8c8c94', label: 'Not entered' },
};

/** The states of a definition and its transitions. */
export function definitionGraph(definition: string): { startAt: string; states: { name: string; type: string }[]; edges: GraphEdge[] } {
  const parsed = JSON.parse(definition) as { StartAt?: string; States?: Record<string, AslState> };
  const states = Object.entries(parsed.States ?? {});
  const edges: GraphEdge[] = [];
  for (const [name, state] of states) {
    if (state.Next) edges.push({ from: name, to: state.Next, kind: 'next' });
    for (const choice of state.Choices ?? []) if (choice.Next) edges.push({ from: name, to: choice.Next, kind: 'choice' });
    if (state.Default) edges.push({ from: name, to: state.Default, kind: 'default' });
    for (const handler of state.Catch ?? []) if (handler.Next) edges.push({ from: name, to: handler.Next, kind: 'catch' });
    if (state.End || state.Type === 'Succeed' || state.Type === 'Fail') edges.push({ from: name, to: END_NODE, kind: 'end' });
  }
  const unique = edges.filter((edge, i) => edges.findIndex((e) => e.from === edge.from && e.to === edge.to && e.kind === edge.kind) === i);
  return { startAt: parsed.StartAt ?? '', states: states.map(([name, state]) => ({ name, type: state.Type ?? '' })), edges: unique };
}

/** What the graph shows of one state: its last visit's outcome, how often it ran, how often a Catch left it. */
export interface StateSummary {
  status: StateStatus;
  visits: number;
  caught: number;
}

/** Each entered state's summary, from the execution's state visits. */
export function stateStatuses(visits: readonly StateVisit[]): Map<string, StateSummary> {
  const summaries = new Map<string, StateSummary>();
  for (const visit of visits) {
    const before = summaries.get(visit.name);
    summaries.set(visit.name, {
      status: visit.outcome,
      visits: (before?.visits ?? 0) + 1,
      caught: (before?.caught ?? 0) + (visit.outcome === 'caught' ? 1 : 0),
    });
  }
  return summaries;
}

const NODE_HEIGHT = 36;
const TERMINAL_SIZE = 44;
const nodeWidth = (name: string) => Math.max(110, name.length * 7.4 + 32);

function pathOf(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

/** The SVG of a definition with each state coloured by its status. */
export function renderStateGraph(definition: string, statuses: ReadonlyMap<string, StateSummary>): string {
  const { startAt, states, edges } = definitionGraph(definition);
  const graph = new Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 34, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  graph.setNode(START_NODE, { width: TERMINAL_SIZE, height: TERMINAL_SIZE });
  graph.setNode(END_NODE, { width: TERMINAL_SIZE, height: TERMINAL_SIZE });
  for (const state of states) graph.setNode(state.name, { width: nodeWidth(state.name), height: NODE_HEIGHT });
  const allEdges: GraphEdge[] = [{ from: START_NODE, to: startAt, kind: 'next' }, ...edges];
  allEdges.forEach((edge, i) => graph.setEdge(edge.from, edge.to, { weight: edge.kind === 'catch' ? 1 : 3 }, `e${i}`));
  layout(graph);
  const size = graph.graph();
  const width = Math.ceil(size.width ?? 400);
  const height = Math.ceil(size.height ?? 400);

  const edgeSvg = allEdges
    .map((edge, i) => {
      const points = graph.edge({ v: edge.from, w: edge.to, name: `e${i}` })?.points ?? [];
      const dashed = edge.kind === 'catch' ? ' stroke-dasharray="5 4"' : '';
      return `<path class="edge edge-${edge.kind}" data-from="${escapeHtml(edge.from)}" data-to="${escapeHtml(edge.to)}" d="${pathOf(points)}" fill="none" stroke="#687078" stroke-width="1.3"${dashed} marker-end="url(#arrow)"/>`;
    })
    .join('\n');

  const nodeSvg = [START_NODE, END_NODE, ...states.map((s) => s.name)]
    .map((name) => {
      const node = graph.node(name);
      const x = node.x ?? 0;
      const y = node.y ?? 0;
      if (name === START_NODE || name === END_NODE) {
        return `<g class="terminal" data-node="${name}"><circle cx="${x}" cy="${y}" r="${TERMINAL_SIZE / 2}" fill="#fafafa" stroke="#687078"/><text x="${x}" y="${y + 4}" text-anchor="middle">${name}</text></g>`;
      }
      const summary = statuses.get(name) ?? { status: 'notEntered' as const, visits: 0, caught: 0 };
      const status = summary.status;
      const colour = STATUS_COLOURS[status];
      const w = node.width;
      const type = states.find((s) => s.name === name)?.type ?? '';
      const rx = type === 'Choice' ? 18 : 6;
      const title = `${name} (${type}): ${colour.label}${summary.visits > 1 ? `; entered ${summary.visits} times` : ''}${summary.caught > 0 ? `, ${summary.caught} caught error(s)` : ''}`;
      // A state entered more than once carries a badge with the count (orange when a visit ended in a caught error).
      const badgeColour = summary.caught > 0 ? STATUS_COLOURS.caught : STATUS_COLOURS.aborted;
      const badge =
        summary.visits > 1
          ? `<g class="visits" data-visits="${summary.visits}" data-caught="${summary.caught}"><circle cx="${(x + w / 2).toFixed(1)}" cy="${(y - NODE_HEIGHT / 2).toFixed(1)}" r="10" fill="${badgeColour.fill}" stroke="${badgeColour.stroke}"/><text x="${(x + w / 2).toFixed(1)}" y="${(y - NODE_HEIGHT / 2 + 4).toFixed(1)}" text-anchor="middle">×${summary.visits}</text></g>`
          : '';
      return `<g class="state" data-state="${escapeHtml(name)}" data-status="${status}" data-type="${escapeHtml(type)}"><title>${escapeHtml(title)}</title><rect x="${(x - w / 2).toFixed(1)}" y="${(y - NODE_HEIGHT / 2).toFixed(1)}" width="${w.toFixed(1)}" height="${NODE_HEIGHT}" rx="${rx}" fill="${colour.fill}" stroke="${colour.stroke}" stroke-width="${status === 'running' ? 3 : 1.5}"/><text x="${x}" y="${y + 4}" text-anchor="middle">${escapeHtml(name)}</text>${badge}</g>`;
    })
    .join('\n');

  return `<svg xmlns="http://www.w3.org/2000/svg" class="state-graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="State machine graph">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#687078"/></marker></defs>
${edgeSvg}
${nodeSvg}
</svg>`;
}

/** The colour legend as HTML. */
export function graphLegend(): string {
  return `<div class="legend">${Object.values(STATUS_COLOURS)
    .map((c) => `<span><i style="background:${c.fill};border-color:${c.stroke}"></i>${escapeHtml(c.label)}</span>`)
    .join('')}<span>×N&nbsp;entered N times (orange: a visit ended in a caught error)</span><span><svg width="26" height="8"><path d="M0,4 L26,4" stroke="#687078" stroke-dasharray="5 4"/></svg>&nbsp;Catch</span></div>`;
}
