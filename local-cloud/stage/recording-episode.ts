/**
 * Turns a finished composition recording (HLS under a recording prefix) into one audio file, the episode:
 * it reads the multivariant playlist, downloads the rendition's init segments and segments, joins each part
 * (one per `#EXT-X-DISCONTINUITY`) into a fragmented MP4, and has ffmpeg concatenate the parts and encode
 * m4a (AAC) or mp3.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { promisify } from 'node:util';
import { firstVariantUri, parseRenditionPlaylist, playlistDurationMs } from './hls-playlist.ts';
import { HLS_PATH, MULTIVARIANT_PLAYLIST } from './recording-metadata.ts';
import { recordingKey, type RecordingObjectStore } from './recording-store.ts';

const run = promisify(execFile);

/** The recording's playlists are not there. */
export class RecordingNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingNotFoundError';
  }
}

/** The recording has not ended yet (its playlist has no #EXT-X-ENDLIST). */
export class RecordingNotFinishedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingNotFinishedError';
  }
}

/** ffmpeg could not make the episode. */
export class EpisodeExportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EpisodeExportError';
  }
}

export type EpisodeFormat = 'm4a' | 'mp3';

export const EPISODE_CONTENT_TYPES: Record<EpisodeFormat, string> = { m4a: 'audio/mp4', mp3: 'audio/mpeg' };

export interface ExportEpisodeArgs {
  store: RecordingObjectStore;
  bucketName: string;
  recordingPrefix: string;
  format?: EpisodeFormat;
  /** Where to write the file; default a new file in a new temp directory (the caller removes it). */
  outputPath?: string;
  ffmpegPath?: string;
  /** Accept a recording still in progress (what was uploaded so far). Default false. */
  allowUnfinished?: boolean;
}

export interface Episode {
  path: string;
  contentType: string;
  /** Duration by the playlist, in milliseconds. */
  durationMs: number;
  bytes: number;
}

/** Writes the recording under a prefix as one audio file. */
export async function exportRecordingAsEpisode(args: ExportEpisodeArgs): Promise<Episode> {
  const format = args.format ?? 'm4a';
  const multivariantKey = recordingKey(args.recordingPrefix, `${HLS_PATH}/${MULTIVARIANT_PLAYLIST}`);
  const multivariant = await args.store.get(args.bucketName, multivariantKey);
  if (!multivariant) throw new RecordingNotFoundError('The recording has no multivariant playlist');
  const variant = firstVariantUri(multivariant.toString('utf8'));
  if (!variant || variant.includes('..') || /^[a-z]+:/i.test(variant)) throw new RecordingNotFoundError('The multivariant playlist names no usable rendition');
  const renditionPath = posix.join(HLS_PATH, variant);
  const renditionText = await args.store.get(args.bucketName, recordingKey(args.recordingPrefix, renditionPath));
  if (!renditionText) throw new RecordingNotFoundError('The rendition playlist is missing');
  const playlist = parseRenditionPlaylist(renditionText.toString('utf8'));
  if (!playlist.ended && !args.allowUnfinished) throw new RecordingNotFinishedError('The recording has not ended');
  if (playlist.parts.every((p) => p.segments.length === 0)) throw new RecordingNotFoundError('The recording has no segments');

  const work = await mkdtemp(join(tmpdir(), 'stage-episode-'));
  try {
    // Each part (init segment + its fragments) is one fragmented MP4; ffmpeg's concat demuxer then joins
    // the parts, shifting each part's timestamps (which restart at a discontinuity) to follow the previous.
    const renditionDir = posix.dirname(renditionPath);
    const partFiles: string[] = [];
    for (const [index, part] of playlist.parts.entries()) {
      if (part.segments.length === 0) continue;
      const chunks: Buffer[] = [];
      for (const file of [part.initUri, ...part.segments.map((s) => s.uri)]) {
        if (file.includes('/') || file.includes('..')) throw new EpisodeExportError('The playlist names a file outside its rendition');
        const body = await args.store.get(args.bucketName, recordingKey(args.recordingPrefix, `${renditionDir}/${file}`));
        if (!body) throw new RecordingNotFoundError(`A file of the recording is missing: ${file}`);
        chunks.push(body);
      }
      const partFile = join(work, `part-${index}.mp4`);
      await writeFile(partFile, Buffer.concat(chunks));
      partFiles.push(partFile);
    }
    const list = join(work, 'parts.txt');
    await writeFile(list, partFiles.map((file) => `file '${file}'\n`).join(''));
    const outputPath = args.outputPath ?? join(await mkdtemp(join(tmpdir(), 'stage-episode-out-')), `episode.${format}`);
    await mkdir(dirname(outputPath), { recursive: true });
    const codec = format === 'mp3' ? ['-c:a', 'libmp3lame', '-b:a', '128k'] : ['-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart'];
    try {
      await run(args.ffmpegPath ?? 'ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-vn', ...codec, outputPath], {
        maxBuffer: 1024 * 1024,
      });
    } catch (error) {
      throw new EpisodeExportError('ffmpeg could not write the episode', { cause: error });
    }
    return { path: outputPath, contentType: EPISODE_CONTENT_TYPES[format], durationMs: playlistDurationMs(playlist), bytes: (await stat(outputPath)).size };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
