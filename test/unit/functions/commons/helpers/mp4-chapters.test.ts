import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fmp4FormatError } from '#helpers/fmp4-fragments';
import { MAX_MP4_CHAPTERS, chapterListBox, withChapters } from '#helpers/mp4-chapters';

let dir: string;
let init: Buffer;
let segments: Buffer[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mp4-chapters-'));
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=4:sample_rate=48000', '-c:a', 'aac',
    '-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', 'init.mp4',
    '-hls_segment_filename', join(dir, '%d.mp4'), join(dir, 'p.m3u8'),
  ]);
  init = readFileSync(join(dir, 'init.mp4'));
  const names = readFileSync(join(dir, 'p.m3u8'), 'utf8').split('\n').filter((line) => /^\d+\.mp4$/.test(line));
  segments = names.map((name) => readFileSync(join(dir, name)));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The chapters ffprobe reads from the init with the segments after it. */
function probeChapters(withMarks: Uint8Array): { startTime: number; title: string }[] {
  const file = join(dir, 'episode.m4a');
  writeFileSync(file, Buffer.concat([withMarks, ...segments]));
  const read = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_chapters', '-of', 'json', file], { encoding: 'utf8' })) as {
    chapters: { start_time: string; tags?: { title?: string } }[];
  };
  return read.chapters.map((c) => ({ startTime: Number(c.start_time), title: c.tags?.title ?? '' }));
}

describe('Helper: chapter marks in an MP4', () => {
  it('adds a Nero chapter list that ffprobe reads, in ascending start, with UTF-8 titles', () => {
    const marked = withChapters(init, [
      { startTime: 2.125, title: 'Zweiter Teil — Gespräch' },
      { startTime: 0, title: 'Opening' },
    ]);

    expect(probeChapters(marked)).toEqual([
      { startTime: 0, title: 'Opening' },
      { startTime: 2.125, title: 'Zweiter Teil — Gespräch' },
    ]);
  });

  it('replaces the chapter list of an init that has one already', () => {
    const twice = withChapters(withChapters(init, [{ startTime: 1, title: 'Old' }]), [{ startTime: 3, title: 'New' }]);

    expect(probeChapters(twice)).toEqual([{ startTime: 3, title: 'New' }]);
  });

  it('leaves the init as it is without chapters', () => {
    expect(withChapters(init, [])).toBe(init);
  });

  it(`keeps the first ${MAX_MP4_CHAPTERS} chapters and cuts a long title at a character boundary`, () => {
    const many = Array.from({ length: MAX_MP4_CHAPTERS + 5 }, (_, i) => ({ startTime: i / 100, title: `${i}` }));
    const box = chapterListBox(many);
    expect(box[16]).toBe(MAX_MP4_CHAPTERS);

    const long = chapterListBox([{ startTime: 0, title: 'é'.repeat(200) }]);
    const length = long[17 + 8]!;
    expect(length).toBe(254);
    expect(Buffer.from(long.subarray(26, 26 + length)).toString('utf8')).toBe('é'.repeat(127));
  });

  it('refuses bytes without a moov', () => {
    expect(() => withChapters(segments[0]!, [{ startTime: 0, title: 'x' }])).toThrow(Fmp4FormatError);
  });
});
