import { describe, expect, it } from 'vitest';
import { atLeast, atMost, figure } from '#bench/figure';
import { DOCS_END, DOCS_START, replaceGenerated, resultsMarkdown, runStem, type RunResult } from '#bench/report';

const run: RunResult = {
  startedAt: '2026-11-05T05:30:00.000Z',
  finishedAt: '2026-11-05T05:42:00.000Z',
  command: 'npm run bench',
  quick: false,
  cloud: { origin: 'started', apiUrl: 'http://127.0.0.1:1', awsEndpoint: 'http://127.0.0.1:2' },
  machine: { cores: 2, cpuModel: 'cpu', memoryGiB: 24, node: 'v22', chromium: 'Chromium 156', ffmpeg: 'ffmpeg 5.1', platform: 'linux x64', loadAverage: [1, 2, 3] },
  options: {},
  figures: [
    figure({ id: 'start', title: 'start', unit: 'ms', target: 'p95 ≤ 3 s', samples: [1000, 2000, 4000], checks: [atMost('p95', 4000, 3000)], notes: ['3 sessions'] }),
    figure({ id: 'load', title: 'load', unit: 'ms', target: '≥ 500/s', samples: [1, 2], checks: [atLeast('accepted per second', 600, 500)], notes: [] }),
    figure({ id: 'floor', title: 'floor', unit: 'ms', target: 'reported', samples: [50], notes: [] }),
  ],
};

describe('Benchmark report', () => {
  it('names a run by its start time, safe in a file name', () => {
    expect(runStem(new Date('2026-11-05T05:30:00.123Z'))).toBe('2026-11-05T05-30-00Z');
  });

  it('marks a figure missed when any check misses, passed when all pass, reported when it has none', () => {
    const md = resultsMarkdown(run, 'r.json', 'r.svg');
    expect(md).toContain('| start | ms | 3 | 2000 | 4000 | 4000 | 4000 | p95 ≤ 3 s | **miss** |');
    expect(md).toContain('| load | ms | 2 |');
    expect(md).toMatch(/\| load .*\*\*pass\*\* \|/);
    expect(md).toMatch(/\| floor .*\| reported \|/);
    expect(md).toContain('miss: p95 4000 ms (target ≤ 3000)');
    expect(md).toContain('2 cores');
    expect(md.startsWith(DOCS_START) && md.endsWith(DOCS_END)).toBe(true);
  });

  it('replaces only the generated part of the document, keeping the analysis around it', () => {
    const doc = `# Benchmarks\n\nintro\n\n${DOCS_START}\nold\n${DOCS_END}\n\n## Analysis\nkept\n`;
    const next = replaceGenerated(doc, `${DOCS_START}\nnew\n${DOCS_END}`);
    expect(next).toBe(`# Benchmarks\n\nintro\n\n${DOCS_START}\nnew\n${DOCS_END}\n\n## Analysis\nkept\n`);
    expect(replaceGenerated('# B\n', `${DOCS_START}\nx\n${DOCS_END}`)).toBe(`# B\n\n${DOCS_START}\nx\n${DOCS_END}\n`);
  });
});
