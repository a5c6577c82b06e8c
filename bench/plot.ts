/**
 * The plot of a run: one empirical CDF per latency figure (Vega-Lite, rendered to SVG by Vega in Node without
 * a browser), the target drawn as a vertical rule.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Figure } from './figure.ts';
import { empiricalCdf } from './stats.ts';

/** Longest a CDF line gets (points are thinned evenly beyond it, keeping the last). */
const MAX_POINTS = 400;

/** The Vega-Lite spec: a CDF panel per figure with samples, each with its target rule. */
export function plotSpec(figures: readonly Figure[], title: string): TopLevelSpec {
  const plotted = figures.filter((f) => f.samples.length > 0 && f.unit === 'ms');
  const points = plotted.flatMap((f) => {
    const cdf = empiricalCdf(f.samples);
    const step = Math.max(1, Math.ceil(cdf.length / MAX_POINTS));
    return cdf.filter((_, i) => i % step === 0 || i === cdf.length - 1).map((p) => ({ figure: f.title, ms: p.value, fraction: p.fraction }));
  });
  const rules = plotted.flatMap((f) => {
    const limit = f.checks.find((c) => c.name === 'p95' && c.atMost !== undefined)?.atMost;
    return limit === undefined ? [] : [{ figure: f.title, ms: limit }];
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: [...points.map((p) => ({ ...p, kind: 'cdf' })), ...rules.map((r) => ({ ...r, kind: 'target' }))] },
    facet: { field: 'figure', type: 'nominal', title: null, sort: plotted.map((f) => f.title) },
    columns: 2,
    spec: {
      width: 320,
      height: 180,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'cdf'" }],
          mark: { type: 'line', interpolate: 'step-after', point: false },
          encoding: {
            x: { field: 'ms', type: 'quantitative', title: 'milliseconds', scale: { zero: true } },
            y: { field: 'fraction', type: 'quantitative', title: 'fraction ≤ x', scale: { domain: [0, 1] } },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'target'" }],
          mark: { type: 'rule', color: '#c0392b', strokeDash: [4, 3] },
          encoding: { x: { field: 'ms', type: 'quantitative' } },
        },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  };
}

/** Renders the plot to SVG text. */
export async function renderPlot(figures: readonly Figure[], title: string): Promise<string> {
  const spec = compile(plotSpec(figures, title)).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
