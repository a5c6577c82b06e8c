/** The mix's format: 48 kHz stereo, 20 ms frames, written as s16le interleaved. */

export const SAMPLE_RATE = 48_000;
export const CHANNELS = 2;
export const FRAME_MS = 20;
/** Samples per channel in one frame. */
export const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000;
/** Bytes of one s16le stereo frame. */
export const FRAME_BYTES = FRAME_SAMPLES * CHANNELS * 2;

/** Decoded audio of one packet: one Float32Array per channel (1 or 2), each `samplesDecoded` long. */
export interface DecodedAudio {
  channelData: Float32Array[];
  samplesDecoded: number;
}

/** Decodes the packets of one track, in order (decoders keep state between packets). */
export interface AudioPacketDecoder {
  decode(payload: Uint8Array): DecodedAudio;
  free(): void;
}

/** Makes a decoder for a new track (async when it has to load, as the WASM Opus decoder does). */
export type AudioDecoderFactory = () => AudioPacketDecoder | Promise<AudioPacketDecoder>;

/** Above this level the limiter bends the mix smoothly towards full scale instead of clipping it. */
export const LIMITER_KNEE = 0.9;

/** A soft limiter: unchanged up to the knee, then approaching ±1 without ever passing it. */
export function limitSample(x: number): number {
  const magnitude = Math.abs(x);
  if (magnitude <= LIMITER_KNEE) return x;
  const headroom = 1 - LIMITER_KNEE;
  const limited = LIMITER_KNEE + headroom * Math.tanh((magnitude - LIMITER_KNEE) / headroom);
  return Math.sign(x) * limited;
}

/** Interleaved float stereo (±1) → s16le bytes, through the limiter. */
export function toS16le(interleaved: Float32Array): Buffer {
  const out = Buffer.alloc(interleaved.length * 2);
  for (let i = 0; i < interleaved.length; i++) {
    out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(limitSample(interleaved[i]!) * 32767))), i * 2);
  }
  return out;
}
