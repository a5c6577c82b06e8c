import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Fmp4FormatError,
  firstDecodeTimes,
  rewriteFragments,
  segmentIndexBox,
  segmentPrefixInfo,
  trackTimescales,
  withoutSegmentIndexes,
} from '#helpers/fmp4-fragments';

let dir: string;
let init: Buffer;
let second: Buffer;

/** Top-level box types of an MP4 byte string. */
const types = (data: Uint8Array) => {
  const buffer = Buffer.from(data);
  const found: string[] = [];
  for (let at = 0; at + 8 <= buffer.length; at += buffer.readUInt32BE(at)) found.push(buffer.toString('latin1', at + 4, at + 8));
  return found;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fmp4-'));
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3:sample_rate=44100', '-c:a', 'aac',
    '-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4',
    '-hls_segment_filename', join(dir, '%d.mp4'), join(dir, 'p.m3u8'),
  ]);
  init = readFileSync(join(dir, 'init.mp4'));
  second = readFileSync(join(dir, '1.mp4'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Helper: fMP4 boxes', () => {
  it('reads each track\'s timescale from the init segment', () => {
    expect(trackTimescales(init)).toEqual(new Map([[1, 44_100]]));
  });

  it('finds a segment\'s own sidx and its start in the first bytes, and stops at a box the prefix cuts', () => {
    const info = segmentPrefixInfo(second.subarray(0, 4096));
    const start = firstDecodeTimes(second).get(1)!;

    expect(info.sidxBytes).toBeGreaterThan(0);
    expect(info.earliest).toEqual({ time: start, timescale: 44_100 });
    expect(segmentPrefixInfo(second.subarray(0, 40))).toEqual({ sidxBytes: 0 });
  });

  it('drops exactly the sidx boxes of a segment', () => {
    const stripped = withoutSegmentIndexes(second);

    expect(types(second)).toContain('sidx');
    expect(types(stripped)).toEqual(types(second).filter((t) => t !== 'sidx'));
    expect(stripped.byteLength).toBe(second.length - segmentPrefixInfo(second).sidxBytes);
  });

  it('moves decode times and renumbers fragments, leaving the input as it was', () => {
    const before = firstDecodeTimes(second).get(1)!;

    const { data, nextSequenceNumber } = rewriteFragments(second, new Map([[1, 441_000n]]), 7);

    expect(firstDecodeTimes(data).get(1)).toBe(before + 441_000n);
    expect(firstDecodeTimes(second).get(1)).toBe(before);
    expect(nextSequenceNumber).toBeGreaterThan(7);
    expect(() => rewriteFragments(second, new Map([[1, -(before + 1n)]]), 1)).toThrow(Fmp4FormatError);
  });

  it('writes a version 1 sidx with one starting-with-SAP reference per segment', () => {
    const box = Buffer.from(segmentIndexBox({ referenceId: 1, timescale: 48_000, earliestPresentationTime: 1024n, references: [{ bytes: 100, durationTicks: 96_000 }, { bytes: 50, durationTicks: 48_000 }] }));

    expect(box.length).toBe(40 + 2 * 12);
    expect(box.readUInt32BE(0)).toBe(box.length);
    expect(box.toString('latin1', 4, 8)).toBe('sidx');
    expect(box.readUInt8(8)).toBe(1);
    expect([box.readUInt32BE(12), box.readUInt32BE(16), box.readBigUInt64BE(20), box.readUInt16BE(38)]).toEqual([1, 48_000, 1024n, 2]);
    expect([box.readUInt32BE(40), box.readUInt32BE(44), box.readUInt32BE(48)]).toEqual([100, 96_000, 0x90000000]);
    expect([box.readUInt32BE(52), box.readUInt32BE(56)]).toEqual([50, 48_000]);
  });

  it('refuses a box whose size runs past the data', () => {
    const broken = Buffer.from(init);
    broken.writeUInt32BE(broken.length + 100, 0);

    expect(() => trackTimescales(broken)).toThrow(Fmp4FormatError);
  });
});
