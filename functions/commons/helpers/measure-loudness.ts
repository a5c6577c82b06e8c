/**
 * Measures a media file's integrated loudness (EBU R128 / ITU-R BS.1770) and true peak with ffmpeg's ebur128
 * filter, reading it from a URL (ffmpeg reads it in ranges as it decodes: nothing is downloaded ahead).
 * ffmpeg is the only tool at hand that decodes every accepted format (wav, mp3, ogg/opus, m4a/aac).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { TrackLoudness } from '#contract/index';

/** What ffmpeg reports for digital silence; its true peak (−inf) is kept as this floor. */
export const SILENCE_FLOOR_DB = -144;
/** Longest stderr kept (the summary is at its end). */
const MAX_LOG_CHARS = 64 * 1024;

/** The loudness or why it could not be measured. */
export type LoudnessMeasurement = { ok: true; loudness: Omit<TrackLoudness, 'measuredAt'> } | { ok: false; reason: string };

/**
 * The ffmpeg to run: the one the bundle ships beside its handler (the function's bundling copies it there,
 * contract FunctionSpec.bundledBinary), or the one the `@ffmpeg-installer/ffmpeg` package installed.
 */
export function ffmpegPath(): string {
  const beside = fileURLToPath(new URL('./ffmpeg', import.meta.url));
  if (existsSync(beside)) return beside;
  // A runtime require, so the bundler leaves the package (and its platform binary) alone.
  const installer = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string };
  return installer.path;
}

/** Reads the summary ebur128 prints at the end: `I: -16.0 LUFS` and `Peak: -1.0 dBFS`. */
export function parseEbur128Summary(log: string): Omit<TrackLoudness, 'measuredAt'> | undefined {
  const summary = log.slice(log.lastIndexOf('Summary:'));
  if (!log.includes('Summary:')) return undefined;
  const integrated = /\bI:\s*(-?[\d.]+|-inf)\s*LUFS/.exec(summary)?.[1];
  const peak = /\bPeak:\s*(-?[\d.]+|-inf)\s*dBFS/.exec(summary)?.[1];
  if (integrated === undefined || peak === undefined) return undefined;
  const number = (text: string) => (text === '-inf' ? SILENCE_FLOOR_DB : Math.max(SILENCE_FLOOR_DB, Number(text)));
  return { integratedLufs: number(integrated), truePeakDbtp: number(peak) };
}

/** Runs ffmpeg's ebur128 over `url`; never throws for a file ffmpeg cannot read (the reason is returned). */
export async function measureLoudness(url: string, options: { timeoutMs: number; ffmpeg?: string }): Promise<LoudnessMeasurement> {
  const args = ['-hide_banner', '-nostats', '-nostdin', '-i', url, '-vn', '-af', 'ebur128=peak=true:framelog=verbose', '-f', 'null', '-'];
  return await new Promise((resolve, reject) => {
    const child = spawn(options.ffmpeg ?? ffmpegPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      log = (log + text).slice(-MAX_LOG_CHARS);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const parsed = code === 0 ? parseEbur128Summary(log) : undefined;
      if (parsed) return resolve({ ok: true, loudness: parsed });
      if (signal) return resolve({ ok: false, reason: `the measurement took longer than ${options.timeoutMs / 1000} s` });
      resolve({ ok: false, reason: `ffmpeg could not read the file: ${lastLine(log)}` });
    });
  });
}

/** The last line ffmpeg printed (its error), without the URL it read (a presigned URL is a secret). */
function lastLine(log: string): string {
  const line = log.trim().split('\n').at(-1) ?? 'no output';
  return line.replace(/https?:\/\/\S+/g, '<media>').slice(0, 300);
}
