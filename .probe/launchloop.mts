import { startPageServer, programPageUrl } from '#controller/browser/page-server';
import { spawnChromium } from '#controller/browser/chromium-process';
import { openProgramBrowser } from '#controller/browser/program-browser';
const n = Number(process.argv[2] ?? 40), par = Number(process.argv[3] ?? 3);
let fails = 0, relaunches = 0, done = 0;
async function one() {
  const server = await startPageServer();
  try {
    const b = await openProgramBrowser({ server, chromium: spawnChromium('/usr/bin/chromium', programPageUrl(server.origin)) }, { onRelaunch: (r) => { relaunches++; console.log('RELAUNCH', r); } });
    await b.close();
  } catch (e) { fails++; console.log('FAIL', (e as Error).message); }
  done++;
}
const workers = Array.from({ length: par }, async () => { while (done + par <= n + par - 1 && done < n) await one(); });
await Promise.all(workers);
console.log({ done, fails, relaunches });
