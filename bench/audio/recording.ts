/**
 * A session's composition recording read back through S3 as a player would find it (IVS's layout under the
 * session's recording prefix: media/hls/multivariant.m3u8 → rendition playlist → init + fMP4 segments), and
 * placed on the wall clock by each part's #EXT-X-PROGRAM-DATE-TIME.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { decodeMono } from '#harness/tones';
import { LOCAL_MEDIA_BUCKET } from '#harness/system-session';

/** One continuous part of a recording: its init segment, media segments, and wall-clock start. */
export interface RecordingPart {
  programDateTime: number;
  initUri: string;
  segmentUris: string[];
}

/** Parses a rendition playlist into its parts (a part starts at each #EXT-X-MAP). Pure. */
export function parsePlaylistParts(text: string): RecordingPart[] {
  const parts: RecordingPart[] = [];
  let current: RecordingPart | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const map = /^#EXT-X-MAP:URI="([^"]+)"/.exec(line);
    if (map) {
      current = { programDateTime: Number.NaN, initUri: map[1]!, segmentUris: [] };
      parts.push(current);
    } else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:') && current && Number.isNaN(current.programDateTime)) {
      current.programDateTime = Date.parse(line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length));
    } else if (line && !line.startsWith('#') && current) {
      current.segmentUris.push(line);
    }
  }
  return parts;
}

async function getObject(s3: S3Client, key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: LOCAL_MEDIA_BUCKET, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

/** A decoded part: mono samples at the analysis rate and the wall-clock time of its first sample. */
export interface DecodedPart {
  startMs: number;
  samples: Float32Array;
}

/** Downloads and decodes every part of the recording under `recordingPrefix`. */
export async function readRecording(s3: S3Client, recordingPrefix: string): Promise<DecodedPart[]> {
  const base = `${recordingPrefix.replace(/\/+$/, '')}/media/hls`;
  const multivariant = (await getObject(s3, `${base}/multivariant.m3u8`)).toString('utf8');
  const renditionUri = multivariant.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('#'));
  if (!renditionUri) throw new Error('The multivariant playlist names no rendition');
  const renditionDir = `${base}/${renditionUri.split('/').slice(0, -1).join('/')}`;
  const parts = parsePlaylistParts((await getObject(s3, `${base}/${renditionUri}`)).toString('utf8'));
  const dir = await mkdtemp(join(tmpdir(), 'shelcaster-bench-recording-'));
  try {
    const decoded: DecodedPart[] = [];
    for (const [i, part] of parts.entries()) {
      // An fMP4 part is its init segment followed by its fragments: one file ffmpeg reads as is.
      const chunks = [await getObject(s3, `${renditionDir}/${part.initUri}`)];
      for (const uri of part.segmentUris) chunks.push(await getObject(s3, `${renditionDir}/${uri}`));
      const file = join(dir, `part-${i}.mp4`);
      await writeFile(file, Buffer.concat(chunks));
      decoded.push({ startMs: part.programDateTime, samples: await decodeMono(file) });
    }
    return decoded;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
