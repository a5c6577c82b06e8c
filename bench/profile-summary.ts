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
  const ours = /\/(local-cloud\/services\/[^/]+|local-cloud\/[^/]+|functions\/[^/]+|controller\/[^/]+|infra\/[^/]+)/.exec(url);
  return ours ? ours[1]! : url;
}

function main(dir: string): void {
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  const threads: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
    const before = total;
    const areasBefore = new Map(byArea);
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
    // Each thread on its own: the busy share of its wall time (the main thread's is the API's queue) and its top areas.
    const wallUs = profile.endTime - profile.startTime;
    const busy = total - before;
    const own = [...byArea].map(([area, us]) => [area, us - (areasBefore.get(area) ?? 0)] as const).filter(([, us]) => us > 0).sort((a, b) => b[1] - a[1]).slice(0, 6);
    threads.push(
      `${file}: busy ${(busy / 1e6).toFixed(1)} s of ${(wallUs / 1e6).toFixed(1)} s wall (${((100 * busy) / Math.max(1, wallUs)).toFixed(1)}%)` +
        own.map(([area, us]) => `\n    ${((100 * us) / Math.max(1, wallUs)).toFixed(1).padStart(5)}% of wall  ${area}`).join(''),
    );
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1e6).toFixed(2).padStart(7)} s  ${k}`);
  process.stdout.write(`per thread (busiest areas)\n${threads.join('\n')}\n\nbusy CPU ${(total / 1e6).toFixed(1)} s over all threads\n\nby area\n${top(byArea, 20).join('\n')}\n\nby function (self)\n${top(byFunction, 25).join('\n')}\n`);
}

if (process.argv[2]) main(process.argv[2]);
