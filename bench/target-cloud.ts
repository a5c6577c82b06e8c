/**
 * The local cloud the benchmark measures: the one `npm start` runs (API 127.0.0.1:3000, AWS endpoint
 * 127.0.0.1:4566, data dir .shelcaster/), or, when nothing answers there, one started for the run with the
 * test harness (free ports, a temporary data dir), stopped at the end and its data dir removed.
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startLocalCloud } from '#harness/local-cloud';
import { pidListeningOn } from './procfs.ts';

export interface TargetCloud {
  apiUrl: string;
  awsEndpoint: string;
  dataDir: string;
  /** The local cloud's process (the root of every controller, Chromium and ffmpeg it runs), if found. */
  pid: number | undefined;
  /** "running" (found answering) or "started" (started for this run). */
  origin: 'running' | 'started';
  /** Stops the local cloud if this run started it; returns what it printed when it did. */
  stop(): Promise<void>;
}

/** Whether a local cloud's API answers at `apiUrl`. */
export async function answers(apiUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${apiUrl}/.well-known/jwks.json`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** Connects to the running local cloud, or starts one. */
export async function targetCloud(options: {
  apiUrl: string;
  awsEndpoint: string;
  dataDir: string;
  ownCloud: boolean;
  profileDir?: string | undefined;
  /** Compositions the local IVS of a cloud started here lets run at once (a running one keeps its own setting). */
  compositionQuota: number;
}): Promise<TargetCloud> {
  if (!options.ownCloud && !options.profileDir && (await answers(options.apiUrl))) {
    const port = Number(new URL(options.awsEndpoint).port);
    return {
      apiUrl: options.apiUrl,
      awsEndpoint: options.awsEndpoint,
      dataDir: resolve(options.dataDir),
      pid: pidListeningOn(port),
      origin: 'running',
      stop: async () => undefined,
    };
  }
  const cloud = await startLocalCloud({
    readyTimeoutMs: 120_000,
    env: {
      // As an operator raises IVS's quota of compositions (5 by default) to run more shows at once.
      SHELCASTER_IVS_COMPOSITION_QUOTA: String(options.compositionQuota),
      ...(options.profileDir ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${resolve(options.profileDir)}`.trim() } : {}),
    },
  });
  return {
    apiUrl: cloud.apiUrl,
    awsEndpoint: cloud.awsEndpoint,
    dataDir: cloud.dataDir,
    pid: cloud.process.pid,
    origin: 'started',
    async stop() {
      const code = await cloud.stop();
      if (code !== 0) process.stderr.write(`The local cloud started for the benchmark exited with ${String(code)}\n${cloud.output().slice(-4000)}\n`);
      // Its data directory is the harness's temporary one: nothing of the run stays behind.
      await rm(cloud.dataDir, { recursive: true, force: true });
    },
  };
}
