/** Test fixture: a local IVS provider in a fresh data dir, served over HTTP, with a real SDK client. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IVSRealTimeClient } from '@aws-sdk/client-ivs-realtime';
import { createIvsProvider, type IvsProvider, type IvsProviderOptions } from '#local-cloud/services/ivs/provider';
import { serveProvider } from './serve-provider.ts';

export const STAGE_BASE_URL = 'http://127.0.0.1:4566/_stage';

export interface IvsFixture {
  dataDir: string;
  provider: IvsProvider;
  client: IVSRealTimeClient;
  /** Stops the server and provider; the data dir is kept until `remove()`. */
  stop(): Promise<void>;
  remove(): void;
}

/** A provider over `dataDir` (a new temporary one by default). */
export async function startIvs(options: Partial<IvsProviderOptions> = {}): Promise<IvsFixture> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ivs-test-'));
  const provider = await createIvsProvider({ stageBaseUrl: STAGE_BASE_URL, ...options, dataDir });
  const server = await serveProvider(provider);
  const client = new IVSRealTimeClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  return {
    dataDir,
    provider,
    client,
    async stop() {
      client.destroy();
      await server.close();
      await provider.close?.();
    },
    remove: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
