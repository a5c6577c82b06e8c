/**
 * The episode joined from fMP4 HLS parts that ffmpeg wrote (as the local stage and IVS do), read back with
 * ffprobe and decoded with ffmpeg: one playable audio file of the recording's length.
 */
import '#test/unit/functions/support/env';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildEpisode, episodeBytes, indexEpisode, planEpisode } from '#helpers/build-episode';
import { parseRenditionPlaylist, type RecordingPart } from '#helpers/hls-recording-playlist';

const s3 = mockClient(S3Client);
const BUCKET = 'shelcaster-media-123456789012-us-east-1';
const ROOT = 'stage1/comp1/dest1/composite';
const RENDITION = `${ROOT}/media/hls/audio/playlist.m3u8`;
let dir: string;

/** Encodes a tone to fMP4 HLS in `dir` (init `init-<n>.mp4`, segments numbered from `first`); returns the playlist text. */
function encodePart(n: number, seconds: number, first: number, sampleRate = 48_000): string {
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `sine=frequency=${440 + n * 220}:duration=${seconds}:sample_rate=${sampleRate}`,
    '-ac', '2', '-c:a', 'aac', '-b:a', '128k', '-f', 'hls', '-hls_time', '2', '-hls_list_size', '0', '-hls_segment_type', 'fmp4',
    '-hls_fmp4_init_filename', `init-${n}.mp4`, '-start_number', String(first), '-hls_segment_filename', join(dir, '%d.mp4'), join(dir, `part-${n}.m3u8`),
  ]);
  return readFileSync(join(dir, `part-${n}.m3u8`), 'utf8');
}

/** One rendition playlist of several parts, as the local stage writes a resumed recording. */
const joinPlaylists = (texts: string[]) =>
  ['#EXTM3U', ...texts.flatMap((text, i) => [...(i > 0 ? ['#EXT-X-DISCONTINUITY'] : []), ...text.split('\n').filter((l) => l.startsWith('#EXT-X-MAP') || l.startsWith('#EXTINF') || /^\d+\.mp4$/.test(l))]), '#EXT-X-ENDLIST'].join('\n');

/** Serves the files of `dir` as the recording's objects (whole, or the byte range asked for). */
function serveRecording(): void {
  s3.on(GetObjectCommand).callsFake((input: { Key: string; Range?: string }) => {
    const name = input.Key.slice(`${ROOT}/media/hls/audio/`.length);
    const bytes = readFileSync(join(dir, name));
    const range = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '');
    if (!range) return { Body: { transformToByteArray: async () => new Uint8Array(bytes) } };
    const end = Math.min(Number(range[2]), bytes.length - 1);
    const part = bytes.subarray(Number(range[1]), end + 1);
    return { Body: { transformToByteArray: async () => new Uint8Array(part) }, ContentRange: `bytes ${range[1]}-${end}/${bytes.length}` };
  });
}

const probe = (file: string) =>
  JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name', '-of', 'json', file], { encoding: 'utf8' })) as {
    format: { duration: string };
    streams: { codec_type: string; codec_name: string }[];
  };

/** Decodes the whole file (ffmpeg fails on a broken one); returns the decoded duration in seconds. */
function decode(file: string): { seconds: number } {
  const pcm = execFileSync('ffmpeg', ['-v', 'error', '-xerror', '-i', file, '-f', 's16le', '-ac', '1', '-ar', '8000', '-'], { maxBuffer: 64 * 1024 * 1024 });
  return { seconds: pcm.length / 2 / 8000 };
}

/** The types of the top-level boxes of an MP4 byte string. */
function topLevelBoxes(data: Buffer): string[] {
  const types: string[] = [];
  for (let at = 0; at + 8 <= data.length; at += data.readUInt32BE(at)) types.push(data.toString('latin1', at + 4, at + 8));
  return types;
}

async function collect(parts: readonly RecordingPart[]): Promise<{ file: string; plan: ReturnType<typeof planEpisode> }> {
  const inits = new Map(parts.map((p) => [p.initKey, new Uint8Array(readFileSync(join(dir, p.initKey.split('/').pop()!)))]));
  const plan = planEpisode(parts, inits);
  const firstInit = inits.get(plan.parts[0]!.initKey)!;
  const chunks: Buffer[] = [];
  for await (const chunk of episodeBytes(BUCKET, plan, firstInit, await indexEpisode(BUCKET, plan, firstInit))) chunks.push(chunk);
  const file = join(dir, `episode-${Math.random().toString(36).slice(2)}.m4a`);
  writeFileSync(file, Buffer.concat(chunks));
  return { file, plan };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'episode-test-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  s3.reset();
  serveRecording();
});

describe('Helper: episode from an fMP4 HLS recording', () => {
  it('makes one part into an init plus its segments that ffprobe reads as AAC audio of its length', async () => {
    const { parts } = parseRenditionPlaylist(encodePart(0, 5, 0), RENDITION, ROOT);

    const { file, plan } = await collect(parts);

    expect(plan).toMatchObject({ join: 'single-part', droppedParts: 0 });
    const info = probe(file);
    expect(info.streams).toEqual([{ codec_type: 'audio', codec_name: 'aac' }]);
    expect(Number(info.format.duration)).toBeCloseTo(5, 0);
    expect(decode(file).seconds).toBeGreaterThan(4.8);
  });

  it('joins parts with identical inits into one timeline, the later part moved to follow the first', async () => {
    const playlist = joinPlaylists([encodePart(0, 3, 0), encodePart(1, 4, 10)]);
    const { parts } = parseRenditionPlaylist(playlist, RENDITION, ROOT);
    expect(parts).toHaveLength(2);

    const { file, plan } = await collect(parts);

    expect(plan.join).toBe('parts-joined');
    expect(Number(probe(file).format.duration)).toBeCloseTo(7, 0);
    expect(decode(file).seconds).toBeGreaterThan(6.8);
    // No gap and no overlap: the packets run on one timeline to the end of the second part.
    const times = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { encoding: 'utf8' })
      .trim().split('\n').map(Number);
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
    expect(times.at(-1)).toBeGreaterThan(6.9);
  });

  it('takes the longest part alone when the inits differ', async () => {
    const playlist = joinPlaylists([encodePart(2, 2, 20, 44_100), encodePart(3, 5, 30)]);
    const { parts } = parseRenditionPlaylist(playlist, RENDITION, ROOT);

    const { file, plan } = await collect(parts);

    expect(plan).toMatchObject({ join: 'longest-part', droppedParts: 1 });
    expect(plan.parts[0]!.initKey.endsWith('init-3.mp4')).toBe(true);
    expect(Number(probe(file).format.duration)).toBeCloseTo(5, 0);
  });

  it('streams the episode into S3 with its content type (one PutObject below the multipart size)', async () => {
    const { parts } = parseRenditionPlaylist(encodePart(4, 3, 40), RENDITION, ROOT);
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });

    await buildEpisode({ bucket: BUCKET, parts, episodeKey: 'recordings/s1/episode.m4a' });

    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({ Bucket: BUCKET, Key: 'recordings/s1/episode.m4a', ContentType: 'audio/mp4' });
    const written = Buffer.from(put?.Body as Uint8Array);
    const init = readFileSync(join(dir, 'init-4.mp4'));
    expect(written.subarray(0, init.length).equals(init)).toBe(true);
    expect(topLevelBoxes(written.subarray(init.length)).filter((t) => t === 'sidx')).toHaveLength(1);
    expect(topLevelBoxes(written.subarray(init.length))[0]).toBe('sidx');
  });

  it('writes the chapters into the episode as chapter marks ffprobe reads, and the episode still decodes whole', async () => {
    const { parts } = parseRenditionPlaylist(encodePart(5, 6, 50), RENDITION, ROOT);
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' });
    const chapters = [
      { startTime: 0.5, title: 'Opening' },
      { startTime: 3.25, title: 'Interview' },
    ];

    await buildEpisode({ bucket: BUCKET, parts, episodeKey: 'recordings/s1/episode.m4a', chapters });

    const file = join(dir, 'with-chapters.m4a');
    writeFileSync(file, Buffer.from(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Body as Uint8Array));
    const read = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_chapters', '-of', 'json', file], { encoding: 'utf8' })) as {
      chapters: { start_time: string; tags: { title: string } }[];
    };
    expect(read.chapters.map((c) => ({ startTime: Number(c.start_time), title: c.tags.title }))).toEqual(chapters);
    expect(decode(file).seconds).toBeGreaterThan(5.8);
  });
});
