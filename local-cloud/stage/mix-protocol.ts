/**
 * Messages between a composition's mix (composition-mix.ts, on the thread that serves the stage) and its mix
 * worker (mix-worker.ts). The stage thread collects the packets and track ends that arrive between two mix
 * ticks as one step with the tick's time, and sends a few steps per message (a message costs the stage
 * thread a wake-up of the worker), their payloads packed into one transferred buffer; the worker replays the
 * steps in order: applies each step's packets, mixes what its tick makes due and feeds it to its ffmpeg.
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

/** What arrived between two ticks, then the tick: mix what the mix clock makes due at `tickAt`. */
export interface MixStep {
  ops: MixOp[];
  /** Absent for the ops that arrived after the last tick before a finish. */
  tickAt?: number;
}

export type StageToMixWorker =
  /** Replay the steps in order. */
  | { type: 'steps'; steps: MixStep[]; bytes: ArrayBuffer }
  /** Replay the steps, mix everything up to `untilMs`, close ffmpeg's input and answer once it exited. */
  | { type: 'finish'; steps: MixStep[]; bytes: ArrayBuffer; untilMs: number }
  /** Kill ffmpeg at once and stop. */
  | { type: 'kill' };

export type MixWorkerToStage =
  /** ffmpeg started with this process id. */
  | { type: 'encoder'; pid: number | undefined }
  /** ffmpeg wrote its last segment and exited (`error`: it failed, with the encoder's message). */
  | { type: 'finished'; error?: string }
  /** A failure no answer reports (a decoder that could not be made, a packet that could not be decoded). */
  | { type: 'error'; message: string; detail: string };
