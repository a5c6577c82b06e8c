import { TruePeakLimiter as New } from '../controller/page/true-peak-limiter.js';
import { TruePeakLimiter as Old } from '/tmp/tpl-orig.mjs';
let seed = 1; const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
for (const amp of [0.1, 0.5, 0.8, 0.95, 1.5, 3]) {
  const a = new Old({ sampleRate: 48000, channels: 2, ceilingDbtp: -1 }), b = new New({ sampleRate: 48000, channels: 2, ceilingDbtp: -1 });
  let maxDiff = 0;
  for (let k = 0; k < 2000; k++) {
    const ins = [new Float32Array(128), new Float32Array(128)];
    const burst = (k % 50) < 10 ? amp : amp * 0.2;
    for (let i = 0; i < 128; i++) { ins[0][i] = burst * Math.sin((k * 128 + i) / 3.1) * rnd(); ins[1][i] = burst * (rnd() * 2 - 1); }
    const oa = [new Float32Array(128), new Float32Array(128)], ob = [new Float32Array(128), new Float32Array(128)];
    a.process(ins, oa); b.process(ins, ob);
    for (let c = 0; c < 2; c++) for (let i = 0; i < 128; i++) maxDiff = Math.max(maxDiff, Math.abs(oa[c][i] - ob[c][i]));
  }
  console.log(amp, 'maxDiff', maxDiff);
}
