/**
 * One composition's mix in a worker thread: Opus decoding of every track, the wall-clock mix, its s16le
 * conversion and the writes into ffmpeg's input, off the thread that serves the API, the AWS endpoint and the
 * stage's WebRTC. The stage thread drives it (mix-protocol.ts): each tick brings the packets that arrived
 * since the previous one and the time the mix clock moves towards, so packets are placed and frames made due
 * exactly as if the mix ran on the stage thread.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { FfmpegHlsEncoder } from './ffmpeg-hls-encoder.ts';
import { MixClock } from './mix-clock.ts';
import type { AudioPacketDecoder } from './audio-format.ts';
import type { MixOp, MixStep, MixWorkerData, MixWorkerToStage, StageToMixWorker } from './mix-protocol.ts';
import { createOpusPacketDecoder } from './opus-decoder.ts';
import { WallClockMixer } from './wall-clock-mixer.ts';

if (!parentPort) throw new Error('mix-worker must run in a worker thread');
const port: MessagePort = parentPort;
const data = workerData as MixWorkerData;

const post = (message: MixWorkerToStage): void => port.postMessage(message);

/** A decoder made before a track needs it (and, from the worker's start, the WASM module compiled). */
interface Spare {
  made: Promise<AudioPacketDecoder>;
  decoder?: AudioPacketDecoder;
}
function makeSpare(): Spare {
  const spare: Spare = { made: createOpusPacketDecoder() };
  spare.made.then((decoder) => (spare.decoder = decoder), () => undefined);
  return spare;
}
let spare = makeSpare();
/** Decoders given to new tracks that had not loaded yet: the next mix waits for them. */
let loading: Promise<unknown>[] = [];
/**
 * A new track's decoder: the spare (ready at once when it has loaded) and another spare started. A frame
 * mixed while a track's decoder loads would lose that track's packets (a fresh thread compiles the WASM
 * first: about half a second on a loaded machine, while ticks queue up), so mixing waits for it instead.
 */
function takeDecoder(): AudioPacketDecoder | Promise<AudioPacketDecoder> {
  const taken = spare;
  spare = makeSpare();
  if (taken.decoder) return taken.decoder;
  loading.push(taken.made.catch(() => undefined));
  return taken.made;
}

const encoder = new FfmpegHlsEncoder(data.encoder);
post({ type: 'encoder', pid: encoder.pid });
const mixer = new WallClockMixer({
  startMs: data.startMs,
  decoderFactory: takeDecoder,
  ...(data.playoutDelayMs === undefined ? {} : { playoutDelayMs: data.playoutDelayMs }),
  onError: (message, error) => post({ type: 'error', message, detail: error instanceof Error ? error.message : String(error) }),
});
const clock = new MixClock(data.startMs);

function apply(ops: MixOp[], bytes: ArrayBuffer): void {
  for (const op of ops) {
    if (op.kind === 'end') mixer.endTrack(op.trackId);
    else {
      mixer.push(op.trackId, {
        sequenceNumber: op.sequenceNumber,
        timestamp: op.timestamp,
        receivedAtMs: op.receivedAtMs,
        payload: new Uint8Array(bytes, op.offset, op.length),
      });
    }
  }
}

async function finish(untilMs: number): Promise<void> {
  let error: string | undefined;
  try {
    encoder.write(mixer.renderUntil(untilMs));
    await encoder.end();
  } catch (failure) {
    error = failure instanceof Error ? failure.message : String(failure);
    encoder.kill();
  } finally {
    mixer.close();
  }
  post(error === undefined ? { type: 'finished' } : { type: 'finished', error });
  port.close();
}

async function handle(message: StageToMixWorker): Promise<void> {
  if (message.type === 'kill') {
    encoder.kill();
    mixer.close();
    port.close();
    return;
  }
  for (const step of message.steps) await replay(step, message.bytes);
  if (message.type === 'finish') await finish(message.untilMs);
}

/** One step as it happened on the stage thread: its packets, then its tick. */
async function replay(step: MixStep, bytes: ArrayBuffer): Promise<void> {
  apply(step.ops, bytes);
  if (loading.length > 0) {
    // The mixer attached each decoder when its promise settled (its callback came first): every track can play.
    const waiting = loading;
    loading = [];
    await Promise.all(waiting);
  }
  if (step.tickAt !== undefined) encoder.write(mixer.renderUntil(clock.advance(step.tickAt)));
}

/** Messages are handled one after the other, in order, each after the previous one's wait. */
let handled = Promise.resolve();
port.on('message', (message: StageToMixWorker) => {
  handled = handled.then(() => handle(message)).catch((error: unknown) => post({ type: 'error', message: 'The mix failed', detail: error instanceof Error ? error.message : String(error) }));
});
