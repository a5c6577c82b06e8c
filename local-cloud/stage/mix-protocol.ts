/**
 * Messages between a composition's mix (composition-mix.ts, on the thread that serves the stage) and its mix
 * worker (mix-worker.ts). The stage thread collects the packets and track ends that arrive between two mix
 * ticks and sends them with the tick, their payloads packed into one transferred buffer; the worker applies
 * them in arrival order, mixes what the tick's clock makes due and feeds it to its ffmpeg.
 */
import type { FfmpegHlsEncoderOptions } from './ffmpeg-hls-encoder.ts';

/** What the worker needs to start a composition's mix and its encoder. */
export interface MixWorkerData {
  startMs: number;
  playoutDelayMs?: number;
  encoder: FfmpegHlsEncoderOptions;
}

/** A packet of a track; its payload is `bytes[offset, offset + length)` of the batch. */
export interface PushOp {
  kind: 'push';
  trackId: string;
  sequenceNumber: number;
  timestamp: number;
  receivedAtMs: number;
  offset: number;
  length: number;
}

/** A track sends no more. */
export interface EndOp {
  kind: 'end';
  trackId: string;
}

export type MixOp = PushOp | EndOp;

export type StageToMixWorker =
  /** Apply `ops`, then mix what the mix clock makes due at `nowMs` and feed it to ffmpeg. */
  | { type: 'tick'; ops: MixOp[]; bytes: ArrayBuffer; nowMs: number }
  /** Apply `ops`, mix everything up to `untilMs`, close ffmpeg's input and answer once it exited. */
  | { type: 'finish'; ops: MixOp[]; bytes: ArrayBuffer; untilMs: number }
  /** Kill ffmpeg at once and stop. */
  | { type: 'kill' };

export type MixWorkerToStage =
  /** ffmpeg started with this process id. */
  | { type: 'encoder'; pid: number | undefined }
  /** ffmpeg wrote its last segment and exited (`error`: it failed, with the encoder's message). */
  | { type: 'finished'; error?: string }
  /** A failure no answer reports (a decoder that could not be made, a packet that could not be decoded). */
  | { type: 'error'; message: string; detail: string };
