import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CreateStageCommand,
  GetStageCommand,
  IVSRealTimeClient,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-ivs-realtime';
import { startGateway } from '#local-cloud/gateway/server';
import { createIvsProvider } from '#local-cloud/services/ivs/provider';

describe('Local IVS real-time behind the shared AWS endpoint', () => {
  it('is reached by its signing name, tags paths included, with IVS errors intact', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ivs-gw-'));
    const gateway = await startGateway({ port: 0, providers: [], onError: () => {} });
    try {
      gateway.addProvider(await createIvsProvider({ dataDir, stageBaseUrl: `${gateway.url}/_stage` }));
      const client = new IVSRealTimeClient({
        endpoint: gateway.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });
      const { stage } = await client.send(new CreateStageCommand({ name: 'gw', tags: { k: 'v' } }));
      expect(stage?.endpoints?.whip).toBe(`${gateway.url}/_stage/whip`);
      expect(stage?.endpoints?.events).toBe(`${gateway.url.replace('http', 'ws')}/_stage/events`);
      expect((await client.send(new ListTagsForResourceCommand({ resourceArn: stage!.arn! }))).tags).toEqual({ k: 'v' });
      const missing = stage!.arn!.replace(/[^/]+$/, 'ZZZZZZZZZZZZ');
      await expect(client.send(new GetStageCommand({ arn: missing }))).rejects.toBeInstanceOf(ResourceNotFoundException);
      client.destroy();
    } finally {
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
