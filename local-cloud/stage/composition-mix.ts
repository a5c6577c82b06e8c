/**
 * A composition's mix and its encoder as the recorder drives them: packets and track ends go in as they
 * arrive, a tick every frame mixes what the mix clock makes due and feeds it to ffmpeg, `finish` mixes the
 * rest, closes ffmpeg's input and waits for its last segment.
 *
 * Two homes for the same mixer (wall-clock-mixer.ts) and encoder (ffmpeg-hls-encoder.ts): with the real Opus
 * decoder they run in a worker thread (mix-worker.ts), so decoding, mixing and writing every live show's
 * audio into its ffmpeg do not queue behind (or hold up) the API, the AWS endpoint and the stage's WebRTC on
 * the local cloud's main thread; a caller-given decoder (a test's synthetic PCM: a function cannot cross
 * threads) keeps them on the calling thread.
 */
import type { Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from '#local-cloud/typescript-worker';
import type { AudioDecoderFactory } from './audio-format.ts';
import { FfmpegError, FfmpegHlsEncoder, type FfmpegHlsEncoderOptions } from './ffmpeg-hls-encoder.ts';
import { MixClock } from './mix-clock.ts';
import type { MixOp, MixStep, MixWorkerData, MixWorkerToStage, StageToMixWorker } from './mix-protocol.ts';
import type { AudioRtpPacket } from './stage-participants.ts';
import { WallClockMixer } from './wall-clock-mixer.ts';

export interface CompositionMix {
  push(trackId: string, packet: AudioRtpPacket): void;
  endTrack(trackId: string): void;
  /** Mixes what the mix clock makes due at `nowMs` and feeds it to ffmpeg. */
  tick(nowMs: number): void;
  /** Mixes everything up to `untilMs`, closes ffmpeg's input and waits for it to exit (rejects if it failed). */
  finish(untilMs: number): Promise<void>;
  /** Kills ffmpeg at once and frees the mix. */
  kill(): void;
  /** ffmpeg's process id, once known (tests check that none is left running). */
  readonly encoderPid: number | undefined;
}

export interface CompositionMixOptions {
  startMs: number;
  playoutDelayMs?: number | undefined;
  encoder: FfmpegHlsEncoderOptions;
  /** A decoder made on the calling thread; without it, the mix runs in a worker with the Opus decoder. */
  decoderFactory?: AudioDecoderFactory | undefined;
  onError?: ((message: string, error: unknown) => void) | undefined;
}

/** Makes a composition's mix and starts its ffmpeg: in a worker unless a decoder is given. */
export function createCompositionMix(options: CompositionMixOptions): CompositionMix {
  return options.decoderFactory ? new InThreadMix(options, options.decoderFactory) : new WorkerMix(options);
}

/** The mix on the calling thread. */
class InThreadMix implements CompositionMix {
  private readonly mixer: WallClockMixer;
  private readonly clock: MixClock;
  private readonly encoder: FfmpegHlsEncoder;

  constructor(options: CompositionMixOptions, decoderFactory: AudioDecoderFactory) {
    this.encoder = new FfmpegHlsEncoder(options.encoder);
    this.mixer = new WallClockMixer({
      startMs: options.startMs,
      decoderFactory,
      ...(options.playoutDelayMs === undefined ? {} : { playoutDelayMs: options.playoutDelayMs }),
      ...(options.onError ? { onError: options.onError } : {}),
    });
    this.clock = new MixClock(options.startMs);
  }

  get encoderPid(): number | undefined {
    return this.encoder.pid;
  }

  push(trackId: string, packet: AudioRtpPacket): void {
    this.mixer.push(trackId, packet);
  }

  endTrack(trackId: string): void {
    this.mixer.endTrack(trackId);
  }

  tick(nowMs: number): void {
    this.encoder.write(this.mixer.renderUntil(this.clock.advance(nowMs)));
  }

  async finish(untilMs: number): Promise<void> {
    try {
      this.encoder.write(this.mixer.renderUntil(untilMs));
      await this.encoder.end();
    } catch (error) {
      this.encoder.kill();
      throw error;
    } finally {
      this.mixer.close();
    }
  }

  kill(): void {
    this.encoder.kill();
    this.mixer.close();
  }
}

const WORKER_URL = new URL('./mix-worker.ts', import.meta.url);
/**
 * Ticks per message to the worker. Each message wakes the worker, which costs the stage thread far more than
 * the packets it carries (a profile under load: 0.25 ms a message); the worker replays each tick with its own
 * time, so only when ffmpeg gets the frames changes (up to 80 ms later), not where they are on the timeline.
 */
export const TICKS_PER_MESSAGE = 5;

/** The mix in a worker thread; a few ticks, with the packets that arrived before each, go over in one message. */
class WorkerMix implements CompositionMix {
  encoderPid: number | undefined;
  private readonly worker: Worker;
  private readonly onError: CompositionMixOptions['onError'];
  private ops: MixOp[] = [];
  private steps: MixStep[] = [];
  private payloads: Uint8Array[] = [];
  private bytes = 0;
  private finished: Promise<void> | undefined;
  private settleFinish: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private stopped = false;

  constructor(options: CompositionMixOptions) {
    this.onError = options.onError;
    const data: MixWorkerData = {
      startMs: options.startMs,
      encoder: options.encoder,
      ...(options.playoutDelayMs === undefined ? {} : { playoutDelayMs: options.playoutDelayMs }),
    };
    this.worker = startTypeScriptWorker(WORKER_URL, { workerData: data });
    this.worker.on('message', (message: MixWorkerToStage) => this.received(message));
    this.worker.on('error', (error: Error) => this.ended(error));
    this.worker.on('exit', (code) => this.ended(new Error(`The mix worker exited (code ${code})`)));
  }

  push(trackId: string, packet: AudioRtpPacket): void {
    if (this.stopped) return;
    this.ops.push({
      kind: 'push',
      trackId,
      sequenceNumber: packet.sequenceNumber,
      timestamp: packet.timestamp,
      receivedAtMs: packet.receivedAtMs,
      offset: this.bytes,
      length: packet.payload.byteLength,
    });
    this.payloads.push(packet.payload);
    this.bytes += packet.payload.byteLength;
  }

  endTrack(trackId: string): void {
    if (!this.stopped) this.ops.push({ kind: 'end', trackId });
  }

  tick(nowMs: number): void {
    if (this.stopped) return;
    this.steps.push({ ops: this.ops, tickAt: nowMs });
    this.ops = [];
    if (this.steps.length >= TICKS_PER_MESSAGE) this.send((steps, bytes) => ({ type: 'steps', steps, bytes }));
  }

  finish(untilMs: number): Promise<void> {
    if (this.finished) return this.finished;
    if (this.stopped) return (this.finished = Promise.reject(new FfmpegError('The mix worker stopped before the recording was finished')));
    this.finished = new Promise<void>((resolve, reject) => (this.settleFinish = { resolve, reject }));
    this.steps.push({ ops: this.ops });
    this.ops = [];
    this.send((steps, bytes) => ({ type: 'finish', steps, bytes, untilMs }));
    this.stopped = true;
    return this.finished;
  }

  kill(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.worker.postMessage({ type: 'kill' } satisfies StageToMixWorker);
  }

  /** Sends the steps collected since the last message, their payloads packed into one transferred buffer. */
  private send(message: (steps: MixStep[], bytes: ArrayBuffer) => StageToMixWorker): void {
    const packed = new Uint8Array(this.bytes);
    let at = 0;
    for (const payload of this.payloads) {
      packed.set(payload, at);
      at += payload.byteLength;
    }
    const steps = this.steps;
    this.steps = [];
    this.payloads = [];
    this.bytes = 0;
    this.worker.postMessage(message(steps, packed.buffer), [packed.buffer]);
  }

  private received(message: MixWorkerToStage): void {
    if (message.type === 'encoder') this.encoderPid = message.pid;
    else if (message.type === 'error') this.onError?.(message.message, new Error(message.detail));
    else if (message.error === undefined) this.settleFinish?.resolve();
    else this.settleFinish?.reject(new FfmpegError(message.error));
  }

  /** The worker is gone: after `finished` that is expected (settled already, this rejects nothing). */
  private ended(error: Error): void {
    const unexpected = !this.stopped;
    this.stopped = true;
    this.settleFinish?.reject(error);
    if (unexpected) this.onError?.('The mix stopped', error);
  }
}
