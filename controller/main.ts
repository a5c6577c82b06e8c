/**
 * Entry point of the program controller task (controller/command.json runs it). Chromium takes the longest
 * to start, so it starts first: this module loads nothing but Node's built-ins before it spawns the browser
 * onto the controller's page, then loads the rest of the controller (puppeteer, the AWS SDK clients) while
 * Chromium starts, and runs it (run-process.ts).
 */
import { ENV } from '#contract/env';
import { DEFAULT_CHROMIUM_PATH, killLiveBrowsers } from './browser/chromium-process.ts';
import { startProgramBrowser } from './browser/program-browser-start.ts';
import { JoinClock } from './join-clock.ts';

const clock = new JoinClock();
clock.mark('main');
process.on('exit', killLiveBrowsers);
const browser = startProgramBrowser(process.env[ENV.chromiumPath]?.trim() || DEFAULT_CHROMIUM_PATH);
browser.catch(() => undefined); // the controller reports it
const { runControllerProcess } = await import('./run-process.ts');
await runControllerProcess({ browser, clock });
