import { describe, expect, it } from 'vitest';
import { executablePssBytes, parseProcStat, parseSmapsPss, processTree, pssAnonBytes, pssBytes, type ProcStat } from '#bench/procfs';

describe('Reading processes from /proc', () => {
  it('parses a stat line whose command holds spaces and parentheses', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
    // priority nice threads itrealvalue starttime vsize rss ...
    const line = '4242 (chrome (renderer) x) S 4000 4000 4000 0 -1 4194560 10 0 0 0 150 50 0 0 20 0 9 0 1234 99999 2500 18446744073709551615';
    expect(parseProcStat(line, 4096)).toEqual({ pid: 4242, ppid: 4000, cpuTicks: 200, rssBytes: 2500 * 4096 });
  });

  it('finds a process and all its descendants, and nothing else', () => {
    const p = (pid: number, ppid: number): ProcStat => ({ pid, ppid, cpuTicks: 0, rssBytes: 0 });
    const processes = [p(1, 0), p(10, 1), p(11, 10), p(12, 10), p(13, 12), p(20, 1), p(21, 20)];
    expect(processTree(10, processes).map((x) => x.pid).sort((a, b) => a - b)).toEqual([10, 11, 12, 13]);
    expect(processTree(99, processes)).toEqual([]);
  });

  it('reads this process from the real /proc', () => {
    const tree = processTree(process.pid);
    expect(tree[0]?.pid).toBe(process.pid);
    expect(tree[0]!.rssBytes).toBeGreaterThan(1024 * 1024);
  });

  it("reads this process's PSS and its anonymous part (the heap: more than a MiB, less than the whole)", () => {
    const anon = pssAnonBytes(process.pid);
    expect(anon).toBeGreaterThan(1024 * 1024);
    expect(anon).toBeLessThan(pssBytes(process.pid));
    expect(pssAnonBytes(2 ** 22 + 1)).toBe(0); // no such process
  });

  it('sums the PSS of every mapping of one file in smaps, and of no other', () => {
    const smaps = [
      '5590b6662000-5590b93f5000 r--p 00000000 fe:00 1483132                    /usr/lib/chromium/chromium',
      'Size:              46668 kB',
      'Rss:               39296 kB',
      'Pss:               20000 kB',
      '5590b93f6000-5590c7516000 r-xp 02d93000 fe:00 1483132                    /usr/lib/chromium/chromium',
      'Pss:               30000 kB',
      '7f0000000000-7f0000100000 rw-p 00000000 00:00 0 ',
      'Pss:                 512 kB',
      '7f0000200000-7f0000300000 r--p 00000000 fe:00 99                         /usr/lib/chromium/chromium.pak',
      'Pss:                 256 kB',
    ].join('\n');
    expect(parseSmapsPss(smaps, '/usr/lib/chromium/chromium')).toBe(50_000 * 1024);
    expect(parseSmapsPss(smaps, '/usr/lib/chromium/other')).toBe(0);
  });

  it("reads how much of its own executable this process maps (node's text: some, not all of its PSS)", () => {
    const mapped = executablePssBytes(process.pid);
    expect(mapped).toBeGreaterThan(1024 * 1024);
    expect(mapped).toBeLessThan(pssBytes(process.pid));
    expect(executablePssBytes(2 ** 22 + 1)).toBe(0);
  });
});

import { cpuCores, cpuCoresByRole, processRole, treeRss } from '#bench/footprint-sampler';

describe('Controller footprint from process snapshots', () => {
  const p = (pid: number, cpuTicks: number, rssBytes = 0): ProcStat => ({ pid, ppid: 1, cpuTicks, rssBytes });

  it('sums the resident memory of a tree', () => {
    expect(treeRss([p(1, 0, 100), p(2, 0, 50)])).toBe(150);
  });

  it('counts the CPU a tree gained, including processes that started between the snapshots', () => {
    // 10 s at 100 ticks/s: pid 1 gained 50 ticks, pid 3 is new with 30, pid 2 exited (its ticks are not seen).
    expect(cpuCores([p(1, 100), p(2, 500)], [p(1, 150), p(3, 30)], 10)).toBeCloseTo(0.08);
  });

  it('splits the CPU by process: node, and each kind of Chromium process', () => {
    expect(processRole('/usr/bin/node dist/main.js')).toBe('node');
    expect(processRole('/usr/lib/chromium/chromium --headless --remote-debugging-pipe about:blank')).toBe('browser');
    expect(processRole('/usr/lib/chromium/chromium --type=renderer --lang=en-US')).toBe('renderer');
    expect(processRole('/usr/lib/chromium/chromium --type=utility --utility-sub-type=audio.mojom.AudioService')).toBe('audio');
    expect(processRole('/usr/lib/chromium/chromium --type=utility --utility-sub-type=storage.mojom.StorageService')).toBe('utility');
    expect(processRole('/usr/lib/chromium/chromium --type=gpu-process')).toBe('gpu');
    const role = (pid: number, cpuTicks: number, name: string) => ({ ...p(pid, cpuTicks), role: name });
    expect(cpuCoresByRole([p(1, 100), p(2, 10)], [role(1, 150, 'node'), role(2, 30, 'renderer'), role(3, 10, 'renderer')], 10)).toEqual({ node: 0.05, renderer: 0.03 });
  });
});
