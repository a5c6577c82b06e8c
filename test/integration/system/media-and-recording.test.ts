/**
 * Uploads and the episode through the API, against one local cloud with real processes: POST /media and a
 * PUT of a generated WAV to its presigned URL (another type or size refused), PLAY_MEDIA of its programUrl
 * applied in a live session, GET /recording refused (409) while live, and after the end a redirect to one
 * audio file that ffprobe reads and Chromium loads with the same duration.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDING_RETRY_AFTER_SECONDS } from '#contract/index';
import { launchChromium } from '#controller/browser/chromium-launcher';
import { localToken, startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';
import { eventually } from '#harness/eventually';
import { chromiumPath } from '#harness/chromium';

const TONE_SECONDS = 4;
let cloud: RunningLocalCloud;
let token: string;
let otherToken: string;
let work: string;

beforeAll(async () => {
  cloud = await startLocalCloud();
  token = await localToken(cloud.dataDir, 'host-media');
  otherToken = await localToken(cloud.dataDir, 'someone-else');
  work = await mkdtemp(join(tmpdir(), 'media-and-recording-'));
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Calls the local API; redirects are not followed. */
async function api(method: string, path: string, body?: unknown, bearer = token) {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method,
    redirect: 'manual',
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** What ffprobe says of a file: its streams' types and codecs, and its duration. */
function probe(file: string): { streams: string[]; seconds: number } {
  const info = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name', '-of', 'json', file], { encoding: 'utf8' })) as {
    format: { duration: string };
    streams: { codec_type: string; codec_name: string }[];
  };
  return { streams: info.streams.map((s) => `${s.codec_type}/${s.codec_name}`), seconds: Number(info.format.duration) };
}

describe('Media uploads and the recording through the API', () => {
  it('uploads a track, plays it live, and redirects to the recording once the show has ended', async () => {
    const wavPath = join(work, 'tone.wav');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `sine=frequency=660:duration=${TONE_SECONDS}:sample_rate=48000`, '-ac', '2', wavPath]);
    const wav = await readFile(wavPath);

    const media = await api('POST', '/media', { fileName: 'Tone 660.wav', contentType: 'audio/wav', sizeBytes: wav.length });
    expect(media.status).toBe(201);
    const uploadUrl = media.body.uploadUrl as string;
    const tagging = (media.body.uploadHeaders as Record<string, string>)['x-amz-tagging']!;
    const put = (contentType: string, bytes: Buffer, tags = tagging) =>
      fetch(uploadUrl, { method: 'PUT', headers: { 'content-type': contentType, 'x-amz-tagging': tags }, body: new Uint8Array(bytes) });
    expect((await put('audio/mpeg', wav)).status).toBe(403);
    expect((await put('audio/wav', wav.subarray(0, wav.length - 100))).status).toBe(403);
    // The upload must carry the unclaimed tag it was signed with (the bucket expires what no track claims).
    expect((await put('audio/wav', wav, 'shelcaster-upload=track')).status).toBe(403);
    expect((await put('audio/wav', wav)).status).toBe(200);

    const created = await api('POST', '/sessions', { title: 'Media and recording' });
    expect(created.status).toBe(202);
    const sessionId = created.body.sessionId as string;
    await eventually(
      async () => {
        const s = await api('GET', `/sessions/${sessionId}`);
        if (s.body.status === 'FAILED' || s.body.status === 'ENDED') throw new Error(JSON.stringify(s.body));
        return s.body.status === 'LIVE' ? true : undefined;
      },
      60_000,
      'the session to go LIVE',
    );

    const play = await api('POST', `/sessions/${sessionId}/commands`, { type: 'PLAY_MEDIA', programId: 'tone-660', programUrl: media.body.programUrl });
    expect(play.status).toBe(202);
    const applied = await eventually(
      async () => {
        const c = await api('GET', `/sessions/${sessionId}/commands/${String(play.body.commandId)}`);
        if (c.body.status === 'FAILED') throw new Error(JSON.stringify(c.body));
        return c.body.status === 'APPLIED' ? c.body : undefined;
      },
      30_000,
      'PLAY_MEDIA to be applied',
    );
    expect(applied.status).toBe('APPLIED');

    const whileLive = await api('GET', `/sessions/${sessionId}/recording`);
    expect(whileLive.status).toBe(409);
    expect(whileLive.body.code).toBe('RECORDING_NOT_READY');
    expect(whileLive.headers.get('retry-after')).toBe(String(RECORDING_RETRY_AFTER_SECONDS));
    expect((await api('GET', `/sessions/${sessionId}/recording`, undefined, otherToken)).status).toBe(404);

    await new Promise((resolve) => setTimeout(resolve, TONE_SECONDS * 1000)); // let the track play into the recording
    expect((await api('DELETE', `/sessions/${sessionId}`)).status).toBe(202);

    const redirect = await eventually(
      async () => {
        const r = await api('GET', `/sessions/${sessionId}/recording`);
        const waiting = r.status === 409 && r.body.code === 'RECORDING_NOT_READY' && r.headers.get('retry-after') !== null;
        if (r.status !== 302 && !waiting) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
        return r.status === 302 ? r : undefined;
      },
      60_000,
      'the recording to be ready',
    );
    const location = redirect.headers.get('location') ?? '';
    expect(location).toContain(`recordings/${sessionId}/episode.m4a`);

    const episode = await fetch(location);
    expect(episode.status).toBe(200);
    expect(episode.headers.get('content-type')).toBe('audio/mp4');
    const episodePath = join(work, 'episode.m4a');
    await writeFile(episodePath, Buffer.from(await episode.arrayBuffer()));
    const info = probe(episodePath);
    expect(info.streams).toEqual(['audio/aac']);
    expect(info.seconds).toBeGreaterThan(TONE_SECONDS);
    expect(info.seconds).toBeLessThan(120);

    // Chromium knows the whole file's duration (a fragmented MP4 without the episode's index shows its first fragment's).
    const chromium = await launchChromium(chromiumPath());
    try {
      const page = await chromium.browser.newPage();
      const loaded = await page.evaluate(async (url) => {
        const audio = new Audio(url);
        await new Promise((resolve, reject) => {
          audio.onloadedmetadata = resolve;
          audio.onerror = () => reject(new Error(audio.error?.message ?? 'media error'));
        });
        return { duration: audio.duration };
      }, location);
      expect(loaded.duration).toBeCloseTo(info.seconds, 0);
    } finally {
      await chromium.close();
    }

    // Asked again, the episode built before is served.
    const again = await api('GET', `/sessions/${sessionId}/recording`);
    expect(again.status).toBe(302);
  }, 240_000);
});
