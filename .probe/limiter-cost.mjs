const AMP = Number(process.argv[2] ?? 0.3);
import { TruePeakLimiter } from '../controller/page/true-peak-limiter.js';
const l = new TruePeakLimiter({ sampleRate: 48000, channels: 2, ceilingDbtp: -1 });
const a = new Float32Array(128), b = new Float32Array(128), o = [new Float32Array(128), new Float32Array(128)];
for (let i = 0; i < 128; i++) { a[i] = AMP * Math.sin(i / 7); b[i] = AMP * Math.cos(i / 5); }
for (let k = 0; k < 375; k++) l.process([a, b], o);
const t = performance.now();
for (let k = 0; k < 375 * 5; k++) l.process([a, b], o);
console.log('ms per second of audio', ((performance.now() - t) / 5).toFixed(1));
