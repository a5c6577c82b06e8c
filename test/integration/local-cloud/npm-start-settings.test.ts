/**
 * The local cloud as `npm start` runs it: the AWS-like settings that the test harness turns off (events at
 * least once and in any order, a deleted queue answering for AWS's 60 s) are what it starts with when they
 * are not set. The harness always sets them, so without this test a fault on that path shows only to users.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type RunningLocalCloud } from '#harness/local-cloud';

let cloud: RunningLocalCloud | undefined;

beforeAll(async () => {
  // Empty is read as unset, as `npm start` leaves them.
  cloud = await startLocalCloud({ env: { SHELCASTER_EVENT_DELIVERY: '', SHELCASTER_SQS_DELETE_DELAY_MS: '' } });
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
  if (cloud) await rm(cloud.dataDir, { recursive: true, force: true });
});

describe('npm start, with its defaults', () => {
  it('starts with AWS-like event delivery and queue deletion, and says so', async () => {
    const banner = cloud!.output();
    expect(banner).toContain('EventBridge    at least once, in any order');
    expect(banner).toContain('a deleted queue answers for 60 s more');
    expect((await fetch(`${cloud!.apiUrl}/.well-known/jwks.json`)).status).toBe(200);
  });
});
