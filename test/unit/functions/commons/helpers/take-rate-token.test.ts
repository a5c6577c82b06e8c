import '#test/unit/functions/support/env';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { takeRateToken } from '#helpers/take-rate-token';
import { fakeRateItems } from '#test/unit/functions/support/rate-items';

const documents = mockClient(DynamoDBDocumentClient);
const TABLE = 'shelcaster-sessions';
const KEY = { pk: 'RATE#SESSION#s-1', sk: 'COMMANDS' };
const LIMIT = { ratePerSecond: 50, burst: 100 };

let items: ReturnType<typeof fakeRateItems>;
let clock: number;
const now = () => clock;

beforeEach(() => {
  documents.reset();
  items = fakeRateItems(documents);
  clock = 1_800_000_000_000;
});

const take = () => takeRateToken(TABLE, KEY, LIMIT, now);

describe('Helper: takeRateToken', () => {
  it('lets a whole burst through at once and refuses the next request with the seconds to wait', async () => {
    for (let i = 0; i < LIMIT.burst; i++) expect(await take()).toEqual({ allowed: true });

    expect(await take()).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('writes nothing when it refuses', async () => {
    for (let i = 0; i < LIMIT.burst; i++) await take();
    const before = structuredClone(items.get(`${KEY.pk}|${KEY.sk}`));

    await take();

    expect(items.get(`${KEY.pk}|${KEY.sk}`)).toEqual(before);
  });

  it('refills at the steady rate: one token per interval after the burst is spent', async () => {
    for (let i = 0; i < LIMIT.burst; i++) await take();
    clock += 1000 / LIMIT.ratePerSecond;

    expect(await take()).toEqual({ allowed: true });
    expect(await take()).toMatchObject({ allowed: false });
  });

  it('starts a bucket idle for a while from full again', async () => {
    for (let i = 0; i < LIMIT.burst; i++) await take();
    clock += 60_000;

    for (let i = 0; i < LIMIT.burst; i++) expect(await take()).toEqual({ allowed: true });
  });

  it('takes an idle bucket with one conditional UpdateItem keyed as asked', async () => {
    await take();

    expect(documents).toHaveReceivedCommandTimes(UpdateCommand, 1);
    expect(documents).toReceiveCommandWith(UpdateCommand, {
      TableName: TABLE,
      Key: KEY,
      ConditionExpression: 'attribute_not_exists(tat) OR tat < :now',
      ExpressionAttributeValues: { ':now': clock, ':next': clock + 20 },
    });
  });

  it('counts Retry-After from the slowest bucket: 20 sessions an hour wait three minutes for the 21st', async () => {
    const hourly = { ratePerSecond: 20 / 3600, burst: 20 };
    for (let i = 0; i < 20; i++) expect(await takeRateToken(TABLE, KEY, hourly, now)).toEqual({ allowed: true });

    expect(await takeRateToken(TABLE, KEY, hourly, now)).toEqual({ allowed: false, retryAfterSeconds: 180 });
  });

  it('passes on errors that are not a failed condition', async () => {
    documents.on(UpdateCommand).rejects(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));

    await expect(take()).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
  });
});
