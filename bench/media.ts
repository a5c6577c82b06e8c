/**
 * The media the benchmark plays, generated here with ffmpeg and put in the media bucket under media/<user>/,
 * referenced by s3:// programUrls as a host's uploads are: a short beep and a long quiet tone (WAV), a
 * 60-minute MP3 (one-minute pieces joined without re-encoding: a second or two to make), a 2-second MP3 jingle
 * and a 30-second MP3 clip.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { uploadMedia } from '#harness/system-session';
import { writeToneWav } from '#harness/tones';
import { toneWav } from '#harness/tone-wav';

/** Frequencies: the long program tone, the beep a command plays, the floor's oscillator. */
export const PROGRAM_HZ = 440;
export const BEEP_HZ = 1000;
export const FLOOR_HZ = 1500;
/** The beep's length and the long tone's. */
export const BEEP_SECONDS = 0.5;
export const PROGRAM_SECONDS = 360;

export interface BenchMedia {
  /** A quiet 440 Hz tone long enough to play through any figure. */
  programUrl: string;
  /** A 0.5 s 1000 Hz beep (its onset is what is looked for in the recording). */
  beepUrl: string;
  /** A 60-minute MP3. */
  hourUrl: string;
  /** A 2-second MP3 jingle. */
  jingleUrl: string;
  /** A 30-second MP3 (played as clips). */
  clipUrl: string;
}

/** The generated files. */
export interface MediaFiles {
  beep: Buffer;
  program: Buffer;
  hour: Buffer;
  jingle: Buffer;
  clip: Buffer;
}

const run = promisify(execFile);
const MP3 = ['-ac', '1', '-c:a', 'libmp3lame', '-b:a', '32k'];

/** ffmpeg's sine source into an MP3 at 16 kHz. */
async function sineMp3(path: string, frequency: number, seconds: number): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${frequency}:duration=${seconds}:sample_rate=16000`, ...MP3, path]);
}

/** An hour of MP3: sixty one-minute pieces joined by the concat demuxer without re-encoding. */
async function hourMp3(dir: string): Promise<Buffer> {
  const piece = join(dir, 'minute.mp3');
  await sineMp3(piece, 330, 60);
  const list = join(dir, 'hour.txt');
  await writeFile(list, Array.from({ length: 60 }, () => `file '${piece}'`).join('\n'));
  const hour = join(dir, 'hour.mp3');
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', hour]);
  return readFile(hour);
}

/** Generates the beep (ffmpeg's sine source) and the long tone. */
export async function generateMedia(): Promise<MediaFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'shelcaster-bench-media-'));
  try {
    const beepPath = join(dir, 'beep.wav');
    await writeToneWav(beepPath, [{ frequency: BEEP_HZ, seconds: BEEP_SECONDS }]);
    await Promise.all([sineMp3(join(dir, 'jingle.mp3'), 880, 2), sineMp3(join(dir, 'clip.mp3'), 660, 30)]);
    return {
      beep: await readFile(beepPath),
      program: toneWav({ frequency: PROGRAM_HZ, seconds: PROGRAM_SECONDS, sampleRate: 8000, amplitude: 0.1 }),
      hour: await hourMp3(dir),
      jingle: await readFile(join(dir, 'jingle.mp3')),
      clip: await readFile(join(dir, 'clip.mp3')),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Uploads the media as one host's own files. */
export async function uploadMediaFor(s3: S3Client, userId: string, files: MediaFiles): Promise<BenchMedia> {
  return {
    beepUrl: await uploadMedia(s3, userId, 'beep.wav', files.beep),
    programUrl: await uploadMedia(s3, userId, 'program.wav', files.program),
    hourUrl: await uploadMedia(s3, userId, 'hour.mp3', files.hour, 'audio/mpeg'),
    jingleUrl: await uploadMedia(s3, userId, 'jingle.mp3', files.jingle, 'audio/mpeg'),
    clipUrl: await uploadMedia(s3, userId, 'clip.mp3', files.clip, 'audio/mpeg'),
  };
}
