/** Opus packets → PCM with the WASM build of libopus (`opus-decoder`), one decoder per track. */
import { OpusDecoder } from 'opus-decoder';
import type { AudioPacketDecoder } from './audio-format.ts';

/** Makes a stereo 48 kHz Opus decoder for one track (a mono stream comes out on both channels). */
export async function createOpusPacketDecoder(): Promise<AudioPacketDecoder> {
  const decoder = new OpusDecoder({ channels: 2, sampleRate: 48_000 });
  await decoder.ready;
  return {
    decode(payload) {
      const { channelData, samplesDecoded, errors } = decoder.decodeFrame(payload);
      if (errors.length > 0) throw new Error(`Opus decoding failed: ${errors[0]!.message}`);
      return { channelData, samplesDecoded };
    },
    free() {
      decoder.free();
    },
  };
}
