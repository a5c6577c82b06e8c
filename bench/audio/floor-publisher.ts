/**
 * The floor under "command → audible": a headless Chromium page that publishes an oscillator straight to the
 * local stage over WHIP with a participant token (no command path: no API, queue, controller or media fetch),
 * and switches the tone on at moments it reports. The WHIP HTTP exchange is done from Node (the controller's
 * own whipRequest), so the page needs no origin.
 */
import { launchChromium, type LaunchedChromium } from '#controller/browser/chromium-launcher';
import { whipRequest } from '#controller/browser/whip-request';
import type { Page } from 'puppeteer-core';
import { chromiumPath } from '#harness/chromium';

export interface FloorPublisher {
  /** Switches the tone on for `seconds`; resolves to the wall-clock time (epoch ms) it was switched on. */
  beep(seconds: number): Promise<number>;
  close(): Promise<void>;
}

/** Page side: builds the oscillator and the sendonly peer connection, returns the complete offer. */
const PREPARE = async (frequency: number): Promise<string> => {
  const w = window as unknown as Record<string, unknown>;
  const audio = new AudioContext();
  await audio.resume();
  const oscillator = audio.createOscillator();
  oscillator.frequency.value = frequency;
  const gain = audio.createGain();
  gain.gain.value = 0;
  const destination = audio.createMediaStreamDestination();
  oscillator.connect(gain).connect(destination);
  oscillator.start();
  const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  pc.addTransceiver(destination.stream.getAudioTracks()[0]!, { direction: 'sendonly', streams: [destination.stream] });
  w.floor = { audio, gain, pc };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const timer = setTimeout(resolve, 5000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return pc.localDescription!.sdp;
};

/** Page side: applies the answer and waits until connected. */
const CONNECT = async (answer: string): Promise<void> => {
  const { pc } = (window as unknown as { floor: { pc: RTCPeerConnection } }).floor;
  const connected = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('WHIP connection timed out')), 20_000);
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'connected') {
        clearTimeout(timer);
        resolve();
      } else if (pc.connectionState === 'failed') {
        clearTimeout(timer);
        reject(new Error('WHIP connection failed'));
      }
    });
  });
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  await connected;
};

/** Page side: tone on now, off after `seconds`; returns when it was switched on. */
const BEEP = (seconds: number): number => {
  const { audio, gain } = (window as unknown as { floor: { audio: AudioContext; gain: GainNode } }).floor;
  const now = audio.currentTime;
  gain.gain.setValueAtTime(0.125, now);
  gain.gain.setValueAtTime(0, now + seconds);
  return Date.now();
};

/** Publishes to the stage the participant token is for. */
export async function startFloorPublisher(token: string, whipUrl: string, frequency: number, executable = chromiumPath()): Promise<FloorPublisher> {
  const chromium: LaunchedChromium = await launchChromium(executable);
  let resourceUrl: string | undefined;
  try {
    const page: Page = await chromium.browser.newPage();
    const offer = await page.evaluate(PREPARE, frequency);
    const response = await whipRequest({ method: 'POST', url: whipUrl, token, body: offer });
    if (response.status !== 201) throw new Error(`WHIP answered ${response.status}: ${response.body.slice(0, 200)}`);
    resourceUrl = response.location ? new URL(response.location, response.url).href : undefined;
    await page.evaluate(CONNECT, response.body);
    return {
      beep: (seconds) => page.evaluate(BEEP, seconds),
      async close() {
        if (resourceUrl) await whipRequest({ method: 'DELETE', url: resourceUrl, token }).catch(() => undefined);
        await chromium.close();
      },
    };
  } catch (error) {
    await chromium.close();
    throw error;
  }
}
