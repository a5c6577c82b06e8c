/**
 * The media the benchmark plays: WAVs generated here (a short beep with ffmpeg, a long quiet tone) and put in
 * the media bucket under media/<user>/, referenced by s3:// programUrls as a host's uploads are.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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
}

/** The generated files. */
export interface MediaFiles {
  beep: Buffer;
  program: Buffer;
}

/** Generates the beep (ffmpeg's sine source) and the long tone. */
export async function generateMedia(): Promise<MediaFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'shelcaster-bench-media-'));
  try {
    const beepPath = join(dir, 'beep.wav');
    await writeToneWav(beepPath, [{ frequency: BEEP_HZ, seconds: BEEP_SECONDS }]);
    return {
      beep: await readFile(beepPath),
      program: toneWav({ frequency: PROGRAM_HZ, seconds: PROGRAM_SECONDS, sampleRate: 8000, amplitude: 0.1 }),
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
  };
}
