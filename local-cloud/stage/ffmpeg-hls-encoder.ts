/**
 * ffmpeg (Debian's, from PATH unless told) turning the mix (s16le 48 kHz stereo on stdin) into AAC in
 * fragmented-MP4 HLS segments in a work directory. ffmpeg lists a segment in its playlist once the segment
 * is complete, so that list says what may be uploaded. ffmpeg exits when stdin closes, so it also ends when
 * its parent dies.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CHANNELS, SAMPLE_RATE } from './audio-format.ts';
import { parseSegmentList, type HlsSegment } from './hls-playlist.ts';

/** How long ffmpeg gets to finish its last segment after stdin closed before it is killed. */
export const FFMPEG_EXIT_TIMEOUT_MS = 10_000;
/** The AAC bitrate of the recording. */
export const AAC_BITRATE = 128_000;
const FFMPEG_PLAYLIST = 'ffmpeg.m3u8';

/** ffmpeg failed or could not be started. */
export class FfmpegError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FfmpegError';
  }
}

export interface FfmpegHlsEncoderOptions {
  ffmpegPath: string;
  dir: string;
  /** Number of the first segment (`<n>.mp4`); a resumed recording continues the numbering. */
  startNumber: number;
  initName: string;
  segmentSeconds: number;
}

/** One ffmpeg process writing HLS segments. */
export class FfmpegHlsEncoder {
  private readonly child: ChildProcessByStdio<Writable, null, Readable>;
  private readonly exited: Promise<number | null>;
  private stderrTail = '';
  private stdinOpen = true;

  constructor(private readonly options: FfmpegHlsEncoderOptions) {
    const args = [
      '-hide_banner', '-loglevel', 'error',
      '-f', 's16le', '-ar', String(SAMPLE_RATE), '-ac', String(CHANNELS), '-i', 'pipe:0',
      '-c:a', 'aac', '-b:a', String(AAC_BITRATE),
      '-f', 'hls', '-hls_time', String(options.segmentSeconds), '-hls_list_size', '0',
      '-hls_segment_type', 'fmp4', '-hls_fmp4_init_filename', options.initName,
      '-start_number', String(options.startNumber),
      '-hls_segment_filename', join(options.dir, '%d.mp4'),
      join(options.dir, FFMPEG_PLAYLIST),
    ];
    this.child = spawn(options.ffmpegPath, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => (this.stderrTail = (this.stderrTail + chunk).slice(-2000)));
    this.child.stdin.on('error', () => (this.stdinOpen = false));
    this.exited = new Promise((resolve) => {
      this.child.once('error', () => resolve(null));
      this.child.once('exit', (code) => resolve(code));
    });
  }

  /** The process id (for tests that check nothing is left running). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined;
  }


  /** Feeds PCM. */
  write(pcm: Buffer): void {
    if (pcm.length > 0 && this.stdinOpen) this.child.stdin.write(pcm);
  }

  /** Closes stdin and waits for ffmpeg to write its last segment and exit (killing it after a timeout). */
  async end(): Promise<void> {
    if (this.stdinOpen) {
      this.stdinOpen = false;
      this.child.stdin.end();
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), FFMPEG_EXIT_TIMEOUT_MS)));
    const code = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (code === 'timeout') {
      this.kill();
      throw new FfmpegError('ffmpeg did not finish the recording in time and was killed');
    }
    if (code !== 0) throw new FfmpegError(`ffmpeg exited with ${code}: ${this.stderrTail.trim().slice(-500)}`);
  }

  /** Kills ffmpeg at once. */
  kill(): void {
    this.stdinOpen = false;
    if (this.running) this.child.kill('SIGKILL');
  }
}

/** The segments ffmpeg finished so far in its work directory (read from the playlist it writes there). */
export async function finishedSegments(dir: string): Promise<HlsSegment[]> {
  try {
    return parseSegmentList(await readFile(join(dir, FFMPEG_PLAYLIST), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
