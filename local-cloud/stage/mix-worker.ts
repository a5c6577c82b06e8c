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
import type { MixOp, MixWorkerData, MixWorkerToStage, StageToMixWorker } from './mix-protocol.ts';
import { createOpusPacketDecoder } from './opus-decoder.ts';
import { WallClockMixer } from './wall-clock-mixer.ts';

if (!parentPort) throw new Error('mix-worker must run in a worker thread');
const port: MessagePort = parentPort;
const data = workerData as MixWorkerData;

const post = (message: MixWorkerToStage): void => port.postMessage(message);

const encoder = new FfmpegHlsEncoder(data.encoder);
post({ type: 'encoder', pid: encoder.pid });
const mixer = new WallClockMixer({
  startMs: data.startMs,
  decoderFactory: createOpusPacketDecoder,
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

port.on('message', (message: StageToMixWorker) => {
  if (message.type === 'kill') {
    encoder.kill();
    mixer.close();
    port.close();
    return;
  }
  apply(message.ops, message.bytes);
  if (message.type === 'tick') encoder.write(mixer.renderUntil(clock.advance(message.nowMs)));
  else void finish(message.untilMs);
});
