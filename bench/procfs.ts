/**
 * Reads processes from /proc (Linux): the tree under a process, resident memory (and the physical pages a
 * tree holds, each once), CPU ticks, command lines, the pages of its own executable it maps, and which process
 * listens on a TCP port.
 */
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux). */
export const CLOCK_TICKS_PER_SECOND = 100;

/** One process as /proc/<pid>/stat tells it. */
export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** Resident set size in bytes. */
  rssBytes: number;
}

/** Parses the text of /proc/<pid>/stat (the command may hold spaces and parentheses). */
export function parseProcStat(text: string, pageSize = 4096): ProcStat {
  const close = text.lastIndexOf(')');
  const pid = Number(text.slice(0, text.indexOf(' ')));
  // Fields after the command: state(3) ppid(4) ... utime(14) stime(15) ... rss(24), counted from 1.
  const rest = text.slice(close + 2).split(' ');
  const field = (n: number) => Number(rest[n - 3]);
  return { pid, ppid: field(4), cpuTicks: field(14) + field(15), rssBytes: field(24) * pageSize };
}

/** Every process's stat (processes that exit while read are skipped). */
export function allProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      out.push(parseProcStat(readFileSync(`/proc/${name}/stat`, 'utf8')));
    } catch {
      // gone
    }
  }
  return out;
}

/** The process and all its descendants (by parent pid), from one list of processes. */
export function processTree(rootPid: number, processes: readonly ProcStat[] = allProcesses()): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const root = processes.find((p) => p.pid === rootPid);
  if (!root) return [];
  const tree: ProcStat[] = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    tree.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return tree;
}

/** A process's command line (arguments joined by spaces), or '' when it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** The pid of the process listening on 127.0.0.1:`port` (or any address), if this user can see it. */
export function pidListeningOn(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const localPort = parseInt(cols[1]!.split(':')[1] ?? '', 16);
      if (localPort === port && cols[3] === '0A') inodes.add(cols[9]!);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${name}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${name}/fd/${fd}`));
        if (m && inodes.has(m[1]!)) return Number(name);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

/** Proportional set size (bytes) of a process from /proc/<pid>/smaps_rollup: its resident pages, shared ones divided among their sharers. */
export function pssBytes(pid: number): number {
  return pssParts(pid).pss;
}

/**
 * The anonymous part of pssBytes: the process's own memory (heap, stacks), without the pages of files it maps
 * (Chromium's binary and resources), which every Chromium on the machine shares, so that their PSS shrinks
 * as more Chromium processes run, on this machine but not in a Fargate task.
 */
export function pssAnonBytes(pid: number): number {
  return pssParts(pid).anon;
}

/** pssBytes and pssAnonBytes from one read of smaps_rollup (zeros when the process is gone). */
export function pssParts(pid: number): { pss: number; anon: number } {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return { pss: 0, anon: 0 };
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { pss: field('Pss'), anon: field('Pss_Anon') };
}

/**
 * PSS (bytes) of the mappings of `path` in the text of /proc/<pid>/smaps: how much of that file the process
 * holds mapped, its pages divided among the processes that map them.
 */
export function parseSmapsPss(text: string, path: string): number {
  let kb = 0;
  let inPath = false;
  for (const line of text.split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) inPath = mapping[1] === path;
    else if (inPath) {
      const pss = /^Pss:\s+(\d+) kB/.exec(line);
      if (pss) kb += Number(pss[1]);
    }
  }
  return kb * 1024;
}

/** PSS (bytes) of the pages of its own executable (the Chromium or node binary) a process maps; 0 if gone. */
export function executablePssBytes(pid: number): number {
  try {
    return parseSmapsPss(readFileSync(`/proc/${pid}/smaps`, 'utf8'), readlinkSync(`/proc/${pid}/exe`));
  } catch {
    return 0;
  }
}

/** A mapping of /proc/<pid>/maps: its pages [firstPage, endPage) and what it maps. */
export interface Mapping {
  firstPage: number;
  endPage: number;
  path: string;
}

/**
 * The user-space mappings of a /proc/<pid>/maps text that may hold pages: all but the reservations without
 * access (`---p`: Chromium and V8 reserve gigabytes of address space that way, with nothing in it).
 */
export function parseAccessibleMappings(text: string, pageSize = 4096): Mapping[] {
  const mappings: Mapping[] = [];
  for (const line of text.split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (!header || header[3]!.startsWith('---')) continue;
    // [vsyscall] sits in the kernel's half, past any offset a read of pagemap can take: no user page.
    if (parseInt(header[1]!, 16) / pageSize >= 2 ** 36) continue;
    mappings.push({ firstPage: parseInt(header[1]!, 16) / pageSize, endPage: parseInt(header[2]!, 16) / pageSize, path: header[4] ?? '' });
  }
  return mappings;
}

/**
 * Adds to `frames` the physical frame of each present page in a read of /proc/<pid>/pagemap (8 bytes a page:
 * bit 63 present, bits 0-54 the frame); returns how many pages were present. Without CAP_SYS_ADMIN the
 * kernel gives every frame as 0.
 */
export function addPresentFrames(entries: Buffer, frames: Set<number>): number {
  const count = Math.floor(entries.length / 8);
  // Little-endian 32-bit halves; a copy when the buffer is not 4-byte aligned in its memory.
  const aligned = entries.byteOffset % 4 === 0 ? entries : Buffer.from(entries);
  const words = new Uint32Array(aligned.buffer, aligned.byteOffset, count * 2);
  let present = 0;
  for (let page = 0; page < count; page++) {
    const high = words[page * 2 + 1]!;
    if (high >>> 31 === 0) continue;
    present++;
    frames.add((high & 0x7fffff) * 2 ** 32 + words[page * 2]!);
  }
  return present;
}

/**
 * Bytes of physical memory a set of processes holds, each resident page counted once however many processes
 * map it, inside the set or outside: what the tree would hold alone, as in its own Fargate task. (Its PSS,
 * by contrast, divides a page among every process on the machine that maps it, so it shrinks as other
 * Chromiums run beside it.) Undefined when the frames cannot be read (not root: every frame reads as 0).
 */
export async function residentBytesOnce(pids: readonly number[], pageSize = 4096, mappingsPerTurn = 64): Promise<number | undefined> {
  // The count takes ~0.1 s for a controller's tree: it gives way every `mappingsPerTurn` mappings, so a
  // benchmark's own requests and timers go on meanwhile.
  const frames = new Set<number>();
  let present = 0;
  let mappingsRead = 0;
  for (const pid of pids) {
    let mappings: Mapping[];
    let fd: number;
    try {
      mappings = parseAccessibleMappings(readFileSync(`/proc/${pid}/maps`, 'utf8'), pageSize);
      fd = openSync(`/proc/${pid}/pagemap`, 'r');
    } catch {
      continue; // gone meanwhile
    }
    try {
      for (const mapping of mappings) {
        const entries = Buffer.alloc((mapping.endPage - mapping.firstPage) * 8);
        const read = readSync(fd, entries, 0, entries.length, mapping.firstPage * 8);
        present += addPresentFrames(entries.subarray(0, read), frames);
        if (++mappingsRead % mappingsPerTurn === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch {
      // exited while read
    } finally {
      closeSync(fd);
    }
  }
  if (present > 0 && frames.size === 1 && frames.has(0)) return undefined;
  return frames.size * pageSize;
}
