/**
 * The floor under "command → audible": a second participant that publishes a beep straight to the stage with
 * the controller's own page (the IVS web SDK, the same WebAudio graph) driven from here: no API, queue,
 * controller process or media fetch. What is left is the page's WebAudio, the SDK's Opus and RTP, the stage
 * and the mix, which the controller's beeps go through as well.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, type LaunchedChromium } from '#controller/browser/chromium-launcher';
import { startPageServer, type PageServer } from '#controller/browser/page-server';
import { ProgramPage } from '#controller/browser/program-page';
import { toneWav } from '#harness/tone-wav';

export interface FloorPublisher {
  /** Starts the beep (from its start); resolves to the wall-clock time (epoch ms) it was asked to start. */
  beep(): Promise<number>;
  close(): Promise<void>;
}

/** Joins the stage the participant token is for and loads a beep of `seconds` at `frequency`. */
export async function startFloorPublisher(token: string, frequency: number, seconds: number, chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium'): Promise<FloorPublisher> {
  const dir = await mkdtemp(join(tmpdir(), 'shelcaster-floor-'));
  let server: PageServer | undefined;
  let chromium: LaunchedChromium | undefined;
  const close = async () => {
    await chromium?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const beepPath = join(dir, 'floor.wav');
    await writeFile(beepPath, toneWav({ frequency, seconds, amplitude: 0.125 }));
    server = await startPageServer();
    chromium = await launchChromium(chromiumPath);
    const page = await ProgramPage.open({ browser: chromium.browser, server, title: 'Bench floor' });
    await page.join(token, 30_000);
    await page.load(beepPath);
    return {
      async beep() {
        const at = Date.now();
        await page.startPending(0, 'floor');
        await page.load(beepPath); // the next beep, decoded ahead
        return at;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
