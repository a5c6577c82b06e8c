/**
 * The floor under "command → audible": a second participant that publishes a beep straight to the stage with
 * the controller's own page (the IVS web SDK, the same WebAudio graph) driven from here: no API, queue,
 * controller process or media fetch. What is left is the page's WebAudio, the SDK's Opus and RTP, the stage
 * and the mix, which the controller's beeps go through as well.
 */
import { MAX_MEDIA_SECONDS } from '#contract/index';
import { launchChromium, type LaunchedChromium } from '#controller/browser/chromium-launcher';
import { startPageServer, type PageServer } from '#controller/browser/page-server';
import { ProgramPage } from '#controller/browser/program-page';
import { bufferMediaSource } from '#harness/buffer-media-source';
import { toneWav } from '#harness/tone-wav';
import { USER_CHROMIUM_PATH } from '#harness/chromium';

export interface FloorPublisher {
  /** Starts the beep (from its start); resolves to the wall-clock time (epoch ms) it was asked to start. */
  beep(): Promise<number>;
  close(): Promise<void>;
}

/** Joins the stage the participant token is for, with a beep of `seconds` at `frequency` ready on its page. */
export async function startFloorPublisher(token: string, frequency: number, seconds: number, chromiumPath = USER_CHROMIUM_PATH): Promise<FloorPublisher> {
  let server: PageServer | undefined;
  let chromium: LaunchedChromium | undefined;
  const close = async () => {
    await chromium?.close();
    await server?.close();
  };
  try {
    const wav = toneWav({ frequency, seconds, amplitude: 0.125 });
    server = await startPageServer();
    chromium = await launchChromium(chromiumPath);
    const page = await ProgramPage.open({ browser: chromium.browser, server, title: 'Bench floor' });
    await page.join(token, 30_000);
    const media = server.media.register(bufferMediaSource(wav, 'audio/wav'), wav.length);
    let beeps = 0;
    // The next beep is loaded (its element buffered) before it is asked for, so only the start is timed.
    const loadNext = async () => {
      const voiceId = `floor-${++beeps}`;
      await page.load(voiceId, 'clip', media.path, 0, MAX_MEDIA_SECONDS);
      return voiceId;
    };
    let next = await loadNext();
    return {
      async beep() {
        const at = Date.now();
        await page.start(next, { gainDb: 0, fadeInSeconds: 0, label: 'floor' });
        next = await loadNext();
        return at;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
