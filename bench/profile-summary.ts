/**
 * `npx tsx bench/profile-summary.ts DIR`: where the CPU went in the V8 CPU profiles of a run with
 * --profile-cloud=DIR — self time by function and by package/area, over every profile in the directory.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** The area of a script URL: an npm package, a folder of ours, or node's internals. */
export function areaOf(url: string): string {
  if (!url) return '(native / idle / gc)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node internals';
  const ours = /\/(infra\/local\/[^/]+\/[^/]+|functions\/[^/]+|controller\/[^/]+|infra\/[^/]+)/.exec(url);
  return ours ? ours[1]! : url;
}

function main(dir: string): void {
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    for (let i = 0; i < samples.length; i++) {
      const node = nodes.get(samples[i]!);
      if (!node) continue;
      const us = deltas[i + 1] ?? 0;
      const name = node.callFrame.functionName || '(anonymous)';
      if (name === '(idle)' || name === '(program)') continue;
      total += us;
      const area = areaOf(node.callFrame.url);
      byArea.set(area, (byArea.get(area) ?? 0) + us);
      const key = `${name} ${area}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    }
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1e6).toFixed(2).padStart(7)} s  ${k}`);
  process.stdout.write(`busy CPU ${(total / 1e6).toFixed(1)} s over all threads\n\nby area\n${top(byArea, 20).join('\n')}\n\nby function (self)\n${top(byFunction, 25).join('\n')}\n`);
}

if (process.argv[2]) main(process.argv[2]);
