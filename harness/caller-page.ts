/**
 * Test support (the system tests and the benchmark): the console's caller page (`/call`, from a host's caller
 * link) in headless Chromium with a fake microphone, joined, and a meter of one frequency in what the page
 * hears of the program: the page's own WebAudio graph (`window.shelcasterCall.stage.tap`), read every
 * analyser frame with a Goertzel filter in the page and stamped with the wall clock.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { CHROMIUM_FLAGS } from '#controller/browser/chromium-launcher';
import { toneWav } from '#harness/tone-wav';
import { USER_CHROMIUM_PATH } from '#harness/chromium';

/** One reading of the meter: when (epoch ms, at the end of the analysed frame) and the amplitude. */
export interface ToneReading {
  atMs: number;
  amplitude: number;
}

/**
 * How a tone came through while it played, from a listener's readings (in time order): their median amplitude,
 * the share of readings under `heard`, and the longest dropout (ms from its first reading under `heard` to the
 * next reading above, or to the last reading). On a loaded machine WebRTC conceals a lost or late packet, a
 * reading or a few dip, which is not the tone missing; a tone no longer carried leaves a long dropout.
 */
export function whilePlaying(readings: readonly ToneReading[], heard: number): { median: number; dropoutShare: number; longestDropoutMs: number } {
  const sorted = readings.map((r) => r.amplitude).sort((a, b) => a - b);
  let longestDropoutMs = 0;
  let dropoutFrom: number | undefined;
  for (const reading of readings) {
    if (reading.amplitude < heard) dropoutFrom ??= reading.atMs;
    else if (dropoutFrom !== undefined) {
      longestDropoutMs = Math.max(longestDropoutMs, reading.atMs - dropoutFrom);
      dropoutFrom = undefined;
    }
  }
  if (dropoutFrom !== undefined) longestDropoutMs = Math.max(longestDropoutMs, (readings.at(-1)?.atMs ?? dropoutFrom) - dropoutFrom);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, dropoutShare: sorted.filter((a) => a < heard).length / sorted.length, longestDropoutMs };
}

/** What the caller's browser reports of the audio it receives (WebRTC inbound-rtp, summed over its audio streams). */
export interface ReceivedAudioStats {
  atMs: number;
  /** Seconds the emitted samples spent in the jitter buffer, summed; divided by `jitterBufferEmittedCount`, the average delay. */
  jitterBufferDelay: number;
  jitterBufferEmittedCount: number;
  /** Samples WebRTC made up for packets that were late or lost. */
  concealedSamples: number;
  packetsLost: number;
  /** Samples WebRTC's jitter buffer stretched in (to grow its delay) and cut out (to shrink it). */
  insertedSamplesForDeceleration: number;
  removedSamplesForAcceleration: number;
  /** WebRTC's interarrival jitter estimate now (RFC 3550, seconds; the largest of the streams): packets arriving unevenly. */
  jitter: number;
}

/** The average jitter-buffer delay (ms) between two readings of the received audio's stats, if samples came out between them. */
export function jitterBufferDelayBetween(earlier: ReceivedAudioStats, later: ReceivedAudioStats): number | undefined {
  const emitted = later.jitterBufferEmittedCount - earlier.jitterBufferEmittedCount;
  return emitted > 0 ? ((later.jitterBufferDelay - earlier.jitterBufferDelay) / emitted) * 1000 : undefined;
}

/** Milliseconds of audio the jitter buffer stretched in (+) or cut out (−) between two readings (48 kHz samples). */
export function stretchedMsBetween(earlier: ReceivedAudioStats, later: ReceivedAudioStats): number {
  const inserted = later.insertedSamplesForDeceleration - earlier.insertedSamplesForDeceleration;
  const removed = later.removedSamplesForAcceleration - earlier.removedSamplesForAcceleration;
  return ((inserted - removed) / 48_000) * 1000;
}

export interface CallerPage {
  page: Page;
  /** The received audio's WebRTC stats now (the page's peer connections, as the IVS SDK made them). */
  receivedAudio(): Promise<ReceivedAudioStats>;
  /** RTP packets of video the page received, over its peer connections (an audio-only subscriber is sent none). */
  receivedVideoPackets(): Promise<number>;
  /** Starts measuring `frequency` in what is heard of the participant with this role (the program: CONTROLLER). */
  listen(frequency: number, role?: string): Promise<void>;
  /** The readings since `listen` (the meter keeps running). */
  readings(): Promise<ToneReading[]>;
  /** The page's status line. */
  status(): Promise<string>;
  /** What the browser applies to the caller's microphone (echo cancellation, noise suppression, automatic gain). */
  microphoneProcessing(): Promise<Record<'echoCancellation' | 'noiseSuppression' | 'autoGainControl', boolean | undefined> | undefined>;
  close(): Promise<void>;
}

type CallWindow = Window & {
  shelcasterCall: {
    stage: {
      participants(): { participantId: string; role?: string }[];
      microphoneProcessing(): Record<'echoCancellation' | 'noiseSuppression' | 'autoGainControl', boolean | undefined> | undefined;
      tap(participantId: string): { context: AudioContext; node: AudioNode } | undefined;
    };
  };
  toneReadings?: ToneReading[];
};

/**
 * Opens the caller link and joins (as a caller clicks "Join"); resolves once the page is on the show. The
 * microphone plays `voiceWav` (looped), or a steady tone of `voiceHz`. A file played as the microphone hears
 * nothing of the show, as a caller with headphones: so the caller says so (the voice goes unprocessed, as the
 * tests measure it) unless `headphones` is false (the page's echo cancellation, noise suppression and gain on).
 */
export async function joinAsCaller(
  link: string,
  options: { voiceHz?: number; voiceWav?: Buffer; chromiumPath?: string; timeoutMs?: number; headphones?: boolean } = {},
): Promise<CallerPage> {
  const dir = await mkdtemp(join(tmpdir(), 'shelcaster-caller-'));
  const voice = join(dir, 'voice.wav');
  await writeFile(voice, options.voiceWav ?? toneWav({ frequency: options.voiceHz ?? 220, seconds: 20, amplitude: 0.1 }));
  let browser: Browser | undefined;
  const close = async () => {
    const process = browser?.process();
    await Promise.race([browser?.close(), new Promise((resolve) => setTimeout(resolve, 5_000))]).catch(() => undefined);
    if (process && process.exitCode === null && process.signalCode === null) process.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  };
  try {
    browser = await puppeteer.launch({
      executablePath: options.chromiumPath ?? USER_CHROMIUM_PATH,
      ignoreDefaultArgs: true,
      pipe: true,
      args: [
        ...CHROMIUM_FLAGS,
        `--user-data-dir=${join(dir, 'profile')}`,
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${voice}`,
        'about:blank',
      ],
    });
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    // Keeps the peer connections the SDK makes, so their receivers' stats can be read (the SDK hides them).
    await page.evaluateOnNewDocument(() => {
      const Original = window.RTCPeerConnection;
      const made: RTCPeerConnection[] = [];
      (window as unknown as { shelcasterPeerConnections: RTCPeerConnection[] }).shelcasterPeerConnections = made;
      window.RTCPeerConnection = class extends Original {
        constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
          super(...args);
          made.push(this);
        }
      };
    });
    await page.goto(link);
    if (options.headphones ?? true) await page.click('#headphones');
    await page.click('#join-button');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#call-status')?.dataset.joined === 'true' || !document.querySelector<HTMLElement>('#error')?.hidden, {
      timeout: options.timeoutMs ?? 30_000,
      polling: 100,
    });
    const error = await page.$eval('#error', (e) => ((e as HTMLElement).hidden ? '' : (e.textContent ?? '')));
    if (error) throw new Error(`The caller page did not join: ${error}`);
    return {
      page,
      async listen(frequency, role = 'CONTROLLER') {
        await page.waitForFunction((r) => (window as unknown as CallWindow).shelcasterCall.stage.participants().some((p) => p.role === r && (window as unknown as CallWindow).shelcasterCall.stage.tap(p.participantId)), { timeout: 20_000, polling: 100 }, role);
        await page.evaluate(
          (f, r) => {
            const w = window as unknown as CallWindow;
            const heard = w.shelcasterCall.stage.participants().find((p) => p.role === r)!;
            const { context, node } = w.shelcasterCall.stage.tap(heard.participantId)!;
            const analyser = context.createAnalyser();
            analyser.fftSize = 512;
            node.connect(analyser);
            const samples = new Float32Array(analyser.fftSize);
            const coefficient = 2 * Math.cos((2 * Math.PI * f) / context.sampleRate);
            const readings: ToneReading[] = [];
            w.toneReadings = readings;
            setInterval(() => {
              analyser.getFloatTimeDomainData(samples);
              let s1 = 0;
              let s2 = 0;
              for (const sample of samples) {
                const s0 = sample + coefficient * s1 - s2;
                s2 = s1;
                s1 = s0;
              }
              readings.push({ atMs: Date.now(), amplitude: (2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - coefficient * s1 * s2))) / samples.length });
            }, 10);
          },
          frequency,
          role,
        );
      },
      readings: () => page.evaluate(() => [...((window as unknown as CallWindow).toneReadings ?? [])]),
      receivedAudio: () =>
        page.evaluate(async () => {
          const sum: ReceivedAudioStats = { atMs: Date.now(), jitterBufferDelay: 0, jitterBufferEmittedCount: 0, concealedSamples: 0, packetsLost: 0, insertedSamplesForDeceleration: 0, removedSamplesForAcceleration: 0, jitter: 0 };
          for (const connection of (window as unknown as { shelcasterPeerConnections?: RTCPeerConnection[] }).shelcasterPeerConnections ?? []) {
            if (connection.connectionState === 'closed') continue;
            (await connection.getStats()).forEach((report: { type: string; kind?: string } & Partial<ReceivedAudioStats>) => {
              if (report.type !== 'inbound-rtp' || report.kind !== 'audio') return;
              sum.jitterBufferDelay += report.jitterBufferDelay ?? 0;
              sum.jitterBufferEmittedCount += report.jitterBufferEmittedCount ?? 0;
              sum.concealedSamples += report.concealedSamples ?? 0;
              sum.packetsLost += report.packetsLost ?? 0;
              sum.insertedSamplesForDeceleration += report.insertedSamplesForDeceleration ?? 0;
              sum.removedSamplesForAcceleration += report.removedSamplesForAcceleration ?? 0;
              sum.jitter = Math.max(sum.jitter, report.jitter ?? 0);
            });
          }
          return sum;
        }),
      receivedVideoPackets: () =>
        page.evaluate(async () => {
          let packets = 0;
          for (const connection of (window as unknown as { shelcasterPeerConnections?: RTCPeerConnection[] }).shelcasterPeerConnections ?? []) {
            (await connection.getStats()).forEach((report: { type: string; kind?: string; packetsReceived?: number }) => {
              if (report.type === 'inbound-rtp' && report.kind === 'video') packets += report.packetsReceived ?? 0;
            });
          }
          return packets;
        }),
      status: () => page.$eval('#call-status', (e) => e.textContent ?? ''),
      microphoneProcessing: () => page.evaluate(() => (window as unknown as CallWindow).shelcasterCall.stage.microphoneProcessing()),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The first reading at or after `fromMs` whose amplitude is above `threshold` (an onset), if any. */
export function onsetAfter(readings: readonly ToneReading[], fromMs: number, threshold: number): ToneReading | undefined {
  return readings.find((r) => r.atMs >= fromMs && r.amplitude > threshold);
}
