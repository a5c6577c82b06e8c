import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TRACKS, seedDemo, writeDemoWav } from '#local-cloud/demo/seed-demo';
import { decodeMono, medianAmplitude, toneTrack } from '#harness/tones';

/** An API with the routes the seed uses, keeping tracks and uploads in memory and checking the bearer token. */
let server: Server;
let apiUrl: string;
const tracks: { title: string; programUrl: string; sizeBytes: number }[] = [];
const uploads = new Map<string, Buffer>();

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.url?.startsWith('/upload/') && req.method === 'PUT') {
        uploads.set(req.url.slice('/upload/'.length), await body(req));
        return json(200, {});
      }
      if (req.headers.authorization !== 'Bearer demo-token') return json(401, { message: 'Unauthorized' });
      if (req.url === '/tracks' && req.method === 'GET') return json(200, { tracks });
      if (req.url === '/tracks' && req.method === 'POST') {
        tracks.push(JSON.parse((await body(req)).toString()) as (typeof tracks)[number]);
        return json(201, {});
      }
      if (req.url === '/media' && req.method === 'POST') {
        const { fileName } = JSON.parse((await body(req)).toString()) as { fileName: string };
        return json(201, { uploadUrl: `${apiUrl}/upload/${fileName}`, uploadHeaders: { 'content-type': 'audio/wav' }, programUrl: `s3://bucket/media/demo-host/${fileName}` });
      }
      json(404, { message: 'Not Found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.close();
});

describe('The demo seed of npm start', () => {
  it('uploads every demo track once and registers it, then adds nothing when run again', async () => {
    const added = await seedDemo({ apiUrl, token: 'demo-token' });

    expect(added).toEqual(DEMO_TRACKS.map((t) => t.title));
    expect(tracks.map((t) => t.title)).toEqual(DEMO_TRACKS.map((t) => t.title));
    for (const track of DEMO_TRACKS) {
      const uploaded = uploads.get(track.fileName);
      expect(uploaded?.subarray(0, 4).toString()).toBe('RIFF');
      expect(tracks.find((t) => t.title === track.title)?.sizeBytes).toBe(uploaded?.length);
    }

    expect(await seedDemo({ apiUrl, token: 'demo-token' })).toEqual([]);
    expect(tracks).toHaveLength(DEMO_TRACKS.length);
  });

  it('stops with the answer when the API refuses', async () => {
    await expect(seedDemo({ apiUrl, token: 'wrong' })).rejects.toMatchObject({ name: 'SeedDemoError', message: expect.stringContaining('401') });
  });

  it('writes the arpeggio as its four notes in turn, half a second each', async () => {
    const work = mkdtempSync(join(tmpdir(), 'demo-wav-'));
    try {
      const arpeggio = DEMO_TRACKS.find((t) => t.fileName === 'c-major-arpeggio.wav')!;
      const path = join(work, arpeggio.fileName);
      await writeDemoWav(arpeggio, path);
      const samples = await decodeMono(path);
      expect(samples.length / 48_000).toBeCloseTo(arpeggio.seconds, 1);
      const notes = [261.63, 329.63, 392, 523.25].map((hz) => toneTrack(samples, hz));
      notes.forEach((note, i) => {
        expect(medianAmplitude(note, i * 0.5 + 0.1, i * 0.5 + 0.4)).toBeGreaterThan(0.2);
        expect(medianAmplitude(note, ((i + 2) % 4) * 0.5 + 0.1, ((i + 2) % 4) * 0.5 + 0.4)).toBeLessThan(0.02);
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
