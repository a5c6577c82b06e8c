/**
 * Writes a run's results: bench/results/<date>.json (every figure with p50, p95, p99, max, count, target and
 * pass/miss), the plot beside it as <date>.svg, and the generated part of docs/benchmarks.md (between its
 * markers; the hand-written analysis around it is kept).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { describeCheck, type Figure } from './figure.ts';
import type { Machine } from './machine.ts';
import type { Summary } from './stats.ts';

export interface RunResult {
  startedAt: string;
  finishedAt: string;
  command: string;
  quick: boolean;
  /** "running" (the local cloud found at the default ports) or "started" (started for the run). */
  cloud: { origin: 'running' | 'started'; apiUrl: string; awsEndpoint: string };
  machine: Machine;
  options: Record<string, unknown>;
  figures: Figure[];
}

export const DOCS_START = '<!-- bench:results:start (written by npm run bench) -->';
export const DOCS_END = '<!-- bench:results:end -->';

/** The file stem of a run: its start time, safe in a file name (2026-11-05T05-30-00Z). */
export function runStem(startedAt: Date): string {
  return startedAt.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

const fmt = (n: number, unit: string) => (Number.isFinite(n) ? `${unit === 'ms' ? Math.round(n) : Math.round(n * 100) / 100}` : '–');

function summaryRow(name: string, s: Summary, unit: string): string {
  return `| ${name} | ${s.count} | ${fmt(s.p50, unit)} | ${fmt(s.p95, unit)} | ${fmt(s.p99, unit)} | ${fmt(s.max, unit)} |`;
}

function verdict(f: Figure): string {
  return f.pass === null ? 'reported' : f.pass ? '**pass**' : '**miss**';
}

/** The generated Markdown: the machine, the command, a table of every figure against its target, and details. */
export function resultsMarkdown(run: RunResult, jsonPath: string, svgPath: string): string {
  const m = run.machine;
  const lines = [
    DOCS_START,
    `Latest run: ${run.startedAt} → ${run.finishedAt}, \`${run.command}\`${run.quick ? ' (quick: small counts, not the issue\'s)' : ''}, against a local cloud ${run.cloud.origin === 'running' ? 'that was already running (`npm start`)' : 'started for the run by the test harness (free ports, temporary data dir) and stopped after'}.`,
    '',
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB memory, ${m.platform}, Node ${m.node}, ${m.chromium}, ${m.ffmpeg}. Load average at the end of the run (1/5/15 min): ${m.loadAverage.join(' / ')} — the machine's 2 cores are shared with other work, so figures are upper bounds.`,
    '',
    `Results: [${jsonPath}](${jsonPath}); plot (CDF per latency figure, target dashed): [${svgPath}](${svgPath}).`,
    '',
    `![latency CDFs](${svgPath})`,
    '',
    '| figure | unit | count | p50 | p95 | p99 | max | target | result |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...run.figures.map((f) => {
      const s = f.summary;
      return `| ${f.title} | ${f.unit} | ${s.count} | ${fmt(s.p50, f.unit)} | ${fmt(s.p95, f.unit)} | ${fmt(s.p99, f.unit)} | ${fmt(s.max, f.unit)} | ${f.target} | ${verdict(f)} |`;
    }),
    '',
  ];
  for (const f of run.figures) {
    lines.push(`#### ${f.title} — ${verdict(f)}`, '');
    if (f.error) lines.push(`Not measured: ${f.error}`, '');
    for (const c of f.checks) lines.push(`- ${c.pass ? 'pass' : 'miss'}: ${describeCheck(c, c.name.startsWith('p') ? f.unit : '')}`);
    if (f.values) lines.push(`- values: ${Object.entries(f.values).map(([k, v]) => `${k} ${Math.round(v * 100) / 100}`).join(', ')}`);
    for (const n of f.notes) lines.push(`- ${n}`);
    if (f.breakdown && Object.keys(f.breakdown).length) {
      lines.push('', `| part | count | p50 | p95 | p99 | max |`, '| --- | --- | --- | --- | --- | --- |');
      for (const [name, s] of Object.entries(f.breakdown)) lines.push(summaryRow(name, s, f.unit));
    }
    lines.push('');
  }
  lines.push(DOCS_END);
  return lines.join('\n');
}

/** Replaces the generated part of a document (or appends it when the markers are missing). */
export function replaceGenerated(document: string, generated: string): string {
  const start = document.indexOf(DOCS_START);
  const end = document.indexOf(DOCS_END);
  if (start === -1 || end === -1 || end < start) return `${document.trimEnd()}\n\n${generated}\n`;
  return `${document.slice(0, start)}${generated}${document.slice(end + DOCS_END.length)}`;
}

/** Writes the JSON, the SVG, and (when asked) docs/benchmarks.md; returns the paths written. */
export async function writeResults(
  run: RunResult,
  svg: string,
  options: { root: string; resultsDir: string; docsPath?: string },
): Promise<{ json: string; svg: string; docs?: string }> {
  await mkdir(options.resultsDir, { recursive: true });
  const stem = runStem(new Date(run.startedAt));
  const jsonPath = join(options.resultsDir, `${stem}.json`);
  const svgPath = join(options.resultsDir, `${stem}.svg`);
  await writeFile(jsonPath, `${JSON.stringify(run, null, 2)}\n`);
  await writeFile(svgPath, svg);
  if (!options.docsPath) return { json: jsonPath, svg: svgPath };
  let document = '';
  try {
    document = await readFile(options.docsPath, 'utf8');
  } catch {
    document = '# Benchmarks\n';
  }
  const docsDir = dirname(options.docsPath);
  const generated = resultsMarkdown(run, relative(docsDir, jsonPath), relative(docsDir, svgPath));
  await writeFile(options.docsPath, replaceGenerated(document, generated));
  return { json: jsonPath, svg: svgPath, docs: options.docsPath };
}
