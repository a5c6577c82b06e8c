import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '#controller/config';

const valid = {
  SESSION_ID: '11111111-1111-4111-8111-111111111111',
  STAGE_ARN: 'arn:aws:ivs:us-east-1:000000000000:stage/abc',
  COMMAND_QUEUE_URL: 'http://127.0.0.1:4566/000000000000/q.fifo',
  SESSIONS_TABLE_NAME: 'shelcaster-sessions',
  MEDIA_BUCKET_NAME: 'shelcaster-media-000000000000-us-east-1',
};

describe('readConfig', () => {
  it("reads the contract environment, with Chromium's headless shell by default", () => {
    expect(readConfig(valid)).toEqual({
      sessionId: valid.SESSION_ID,
      stageArn: valid.STAGE_ARN,
      queueUrl: valid.COMMAND_QUEUE_URL,
      sessionsTableName: valid.SESSIONS_TABLE_NAME,
      mediaBucketName: valid.MEDIA_BUCKET_NAME,
      chromiumPath: '/usr/lib/chromium/chromium-headless-shell',
    });
    expect(readConfig({ ...valid, CHROMIUM_PATH: '/opt/chrome' }).chromiumPath).toBe('/opt/chrome');
  });

  it('reads which start of the session controller it is, and refuses one that is not a whole number', () => {
    expect(readConfig({ ...valid, CONTROLLER_GENERATION: '3' }).controllerGeneration).toBe(3);
    expect(() => readConfig({ ...valid, CONTROLLER_GENERATION: 'two' })).toThrow('CONTROLLER_GENERATION must be a whole number (got "two")');
  });

  it('names every missing or malformed variable at once', () => {
    const error = (() => {
      try {
        readConfig({ ...valid, SESSION_ID: '', STAGE_ARN: 'stage', COMMAND_QUEUE_URL: 'queue' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'SESSION_ID is not set',
      'STAGE_ARN is not an ARN',
      'COMMAND_QUEUE_URL is not a URL',
    ]);
  });
});
