import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { addPresentFrames, executablePssBytes, parseAccessibleMappings, parseProcStat, parseSmapsPss, processTree, pssAnonBytes, pssBytes, residentBytesOnce, type ProcStat } from '#bench/procfs';

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

describe('A tree\'s memory with each resident page once', () => {
  it('takes the mappings that may hold pages from maps, not the reservations without access or [vsyscall]', () => {
    const maps = [
      '55d0c0000000-55d0c0004000 r--p 00000000 08:01 1234 /usr/lib/chromium/chromium-headless-shell',
      '7f0000000000-7f0100000000 ---p 00000000 00:00 0 ',
      '7f0100000000-7f0100010000 rw-p 00000000 00:00 0 ',
      '7ffd1000a000-7ffd1002c000 rw-p 00000000 00:00 0                          [stack]',
      'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]',
      '',
    ].join('\n');
    expect(parseAccessibleMappings(maps)).toEqual([
      { firstPage: 0x55d0c0000000 / 4096, endPage: 0x55d0c0004000 / 4096, path: '/usr/lib/chromium/chromium-headless-shell' },
      { firstPage: 0x7f0100000000 / 4096, endPage: 0x7f0100010000 / 4096, path: '' },
      { firstPage: 0x7ffd1000a000 / 4096, endPage: 0x7ffd1002c000 / 4096, path: '[stack]' },
    ]);
  });

  it('reads the frames of present pages from pagemap entries, and counts a frame mapped twice once', () => {
    const entry = (present: boolean, frame: number) => {
      const bytes = Buffer.alloc(8);
      bytes.writeBigUInt64LE((present ? 1n << 63n : 0n) | (1n << 61n) /* file-backed, ignored */ | BigInt(frame));
      return bytes;
    };
    const frames = new Set<number>();
    const present = addPresentFrames(Buffer.concat([entry(true, 7), entry(false, 9), entry(true, 2 ** 40 + 3), entry(true, 7)]), frames);
    expect(present).toBe(3);
    expect([...frames].sort((a, b) => a - b)).toEqual([7, 2 ** 40 + 3]);
    // Not 4-byte aligned in its memory: read all the same.
    const odd = Buffer.concat([Buffer.alloc(1), entry(true, 5)]).subarray(1);
    const more = new Set<number>();
    expect(addPresentFrames(odd, more)).toBe(1);
    expect([...more]).toEqual([5]);
  });

  it('counts the pages a parent and its forked child share once: less than their RSS summed, more than either alone', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const both = await residentBytesOnce([process.pid, child.pid!]);
      if (process.getuid?.() !== 0) {
        // Frames read as 0 without CAP_SYS_ADMIN: not measurable, and said so.
        expect(both).toBeUndefined();
        return;
      }
      const alone = (await residentBytesOnce([process.pid]))!;
      const rss = processTree(process.pid).filter((p) => p.pid === process.pid || p.pid === child.pid).reduce((n, p) => n + p.rssBytes, 0);
      expect(alone).toBeGreaterThan(1024 * 1024);
      expect(both).toBeGreaterThan(alone);
      // Two node processes share node's binary and libraries: counted once, not twice.
      expect(both!).toBeLessThan(rss);
      expect(await residentBytesOnce([2 ** 22 + 1])).toBe(0); // no such process
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('counts without holding the event loop: other work runs between its mappings, and the count is the same', async () => {
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    try {
      const counted = await residentBytesOnce([process.pid], 4096, 1);
      expect(turns).toBeGreaterThan(0);
      if (process.getuid?.() !== 0) {
        expect(counted).toBeUndefined();
        return;
      }
      const again = (await residentBytesOnce([process.pid]))!;
      // The process's memory moves a little between the two counts.
      expect(Math.abs(counted! - again) / again).toBeLessThan(0.2);
    } finally {
      clearInterval(ticker);
    }
  });
});

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
