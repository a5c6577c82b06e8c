/**
 * The demo of `npm start`: a few generated tracks (chords and tones, written as WAV by ffmpeg) uploaded
 * through the API (POST /media, the presigned PUT, POST /tracks) as the tracks of the demo host, so a
 * newcomer signs in as `demo-host` in the console, starts a show and clicks play. Idempotent: tracks whose
 * title the demo host already has are not uploaded again. No show is started (a show runs a controller
 * and Chromium; the console starts one with one click).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiClient, ApiError, type ApiOperationName, type ApiOperations, type ApiRequest } from '#contract/index';

const run = promisify(execFile);

/** The user the demo's tracks belong to (the console's local sign-in proposes it). */
export const DEMO_USER_ID = 'demo-host';

/** One generated track: a title and the ffmpeg `aevalsrc` expression of its signal. */
export interface DemoTrack {
  title: string;
  fileName: string;
  expression: string;
  seconds: number;
}

/** A sine of `hz` at amplitude `a`, as an aevalsrc term. */
const sine = (hz: number, a: number) => `${a}*sin(2*PI*${hz}*t)`;

/** The demo's tracks: chords and tones a listener tells apart at once. */
export const DEMO_TRACKS: readonly DemoTrack[] = [
  { title: 'Demo: A major chord', fileName: 'a-major-chord.wav', expression: [sine(440, 0.1), sine(554.37, 0.1), sine(659.25, 0.1)].join('+'), seconds: 20 },
  {
    title: 'Demo: C major arpeggio',
    fileName: 'c-major-arpeggio.wav',
    // C4, E4, G4, C5 for half a second each, over and over (commas escaped for the filtergraph).
    expression: [
      `${sine(261.63, 0.25)}*lt(mod(t\\,2)\\,0.5)`,
      `${sine(329.63, 0.25)}*gte(mod(t\\,2)\\,0.5)*lt(mod(t\\,2)\\,1)`,
      `${sine(392, 0.25)}*gte(mod(t\\,2)\\,1)*lt(mod(t\\,2)\\,1.5)`,
      `${sine(523.25, 0.25)}*gte(mod(t\\,2)\\,1.5)`,
    ].join('+'),
    seconds: 16,
  },
  { title: 'Demo: 1 kHz test tone', fileName: 'test-tone-1khz.wav', expression: sine(1000, 0.2), seconds: 10 },
];

export interface SeedDemoOptions {
  /** The local API (`http://127.0.0.1:3000`). */
  apiUrl: string;
  /** A bearer token of the demo user (the local issuer's). */
  token: string;
  tracks?: readonly DemoTrack[];
  log?: (line: string) => void;
}

/** Why seeding stopped. */
export class SeedDemoError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'SeedDemoError';
  }
}

/** Writes one demo track as a mono 48 kHz WAV. */
export async function writeDemoWav(track: DemoTrack, path: string): Promise<void> {
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `aevalsrc=${track.expression}:s=48000:d=${track.seconds}`,
    '-ac', '1', '-c:a', 'pcm_s16le', path,
  ]);
}

/** Calls the API; a refusal becomes a SeedDemoError naming the operation. */
async function call<Name extends ApiOperationName>(api: ApiClient, name: Name, request: ApiRequest<Name>): Promise<ApiOperations[Name]['result']> {
  try {
    return await api.call(name, request);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    throw new SeedDemoError(`${name} answered ${error.status}: ${error.message.slice(0, 200)}`, { cause: error });
  }
}

/** Uploads the demo tracks the demo user does not have yet; answers the titles it added. */
export async function seedDemo(options: SeedDemoOptions): Promise<string[]> {
  const log = options.log ?? (() => undefined);
  const api = new ApiClient({ baseUrl: options.apiUrl, token: options.token });
  const existing = new Set((await call(api, 'listTracks', {})).tracks.map((t) => t.title));
  const missing = (options.tracks ?? DEMO_TRACKS).filter((track) => !existing.has(track.title));
  if (missing.length === 0) return [];
  const work = await mkdtemp(join(tmpdir(), 'shelcaster-demo-'));
  const added: string[] = [];
  try {
    for (const track of missing) {
      const path = join(work, track.fileName);
      await writeDemoWav(track, path);
      const bytes = await readFile(path);
      const media = await call(api, 'createMediaUpload', { body: { fileName: track.fileName, contentType: 'audio/wav', sizeBytes: bytes.length } });
      const put = await fetch(media.uploadUrl, { method: 'PUT', headers: media.uploadHeaders, body: bytes });
      if (!put.ok) throw new SeedDemoError(`The upload of ${track.fileName} answered ${put.status}`);
      await call(api, 'createTrack', { body: { title: track.title, programUrl: media.programUrl, contentType: 'audio/wav', sizeBytes: bytes.length } });
      added.push(track.title);
      log(`[demo] added the track "${track.title}" for ${DEMO_USER_ID}`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return added;
}
