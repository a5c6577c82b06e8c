import puppeteer from 'puppeteer-core';
import { createServer } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
const types = { mp3: 'audio/mpeg', m4a: 'audio/mp4', ogg: 'audio/ogg', opus: 'audio/ogg', wav: 'audio/wav', aac: 'audio/aac' };
const server = createServer((req, res) => {
  const f = req.url.slice(1);
  if (f === '') { res.writeHead(200, {'content-type':'text/html'}); return res.end('<html></html>'); }
  try {
    const buf = readFileSync(f); const m = /bytes=(\d+)-(\d*)/.exec(req.headers.range||'');
    console.error('req', performance.now().toFixed(0), f, req.headers.range);
    if (m) { const s=+m[1], e = m[2]? +m[2] : buf.length-1; res.writeHead(206, {'content-type': types[f.split('.').pop()], 'content-range': `bytes ${s}-${e}/${buf.length}`, 'content-length': e-s+1, 'accept-ranges':'bytes'}); return res.end(buf.subarray(s,e+1)); }
    res.writeHead(200, {'content-type': types[f.split('.').pop()], 'content-length': buf.length, 'accept-ranges':'bytes'}); res.end(buf);
  } catch { res.writeHead(404); res.end(); }
}).listen(0, '127.0.0.1');
await new Promise(r => server.once('listening', r));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', ignoreDefaultArgs: true, pipe: true, args: ['--headless','--no-sandbox','--disable-gpu','--autoplay-policy=no-user-gesture-required','--user-data-dir=/tmp/h16probe/ud','about:blank'] });
const page = await browser.newPage();
await page.goto(origin + '/');
for (const f of (process.argv[2]||'t.mp3,t.m4a,t.ogg,t.opus,t.wav,t.aac').split(',')) {
  const r = await page.evaluate(async (url) => {
    const ctx = window.__ctx ??= new AudioContext({ sampleRate: 48000 });
    const a = new Audio(); a.preload = 'auto';
    const src = ctx.createMediaElementSource(a); const an = ctx.createAnalyser(); src.connect(an).connect(ctx.destination);
    const t0 = performance.now();
    a.src = url;
    try {
      await new Promise((res, rej) => { a.oncanplay = res; a.onerror = () => rej(new Error('error ' + a.error?.code + ' ' + a.error?.message)); setTimeout(() => rej(new Error('timeout')), 10000); });
      const tCan = performance.now() - t0;
      await a.play(); const tPlay = performance.now() - t0;
      await new Promise(r => setTimeout(r, 500));
      const buf = new Float32Array(2048); an.getFloatTimeDomainData(buf); let s=0; for (const x of buf) s+=x*x;
      const out = { url, duration: a.duration, tCan, tPlay, t: a.currentTime, rms: Math.sqrt(s/buf.length) };
      if (a.duration > 100) { const ts = performance.now(); a.currentTime = 1800; await new Promise(r => a.onseeked = r); out.seekMs = performance.now()-ts; await new Promise(r => setTimeout(r, 300)); out.afterSeek = a.currentTime; }
      a.pause(); a.src=''; return out;
    } catch (e) { return { url, err: String(e), canPlay: a.canPlayType('audio/mp4; codecs="mp4a.40.2"') }; }
  }, origin + '/' + f);
  console.log(JSON.stringify(r));
}
await browser.close(); server.close();
