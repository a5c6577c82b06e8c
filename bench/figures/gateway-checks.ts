/**
 * Figure "gateway checks per request" (issue 13: the gateway's added cost under 2 ms at p95): the time the AWS
 * endpoint spends on each request before its provider runs — the browser door (loopback Host, allowed
 * Origin) and the SigV4 verification (key lookup, canonical request, signature; the body's SHA-256) — timed
 * in process over many requests signed beforehand with the operator's key. The mix is what the system sends
 * most: SQS SendMessage and DynamoDB UpdateItem JSON bodies (about 1 KB) and S3 PUTs of 64 KB (a recording
 * segment's order of size).
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AccessKeyRegistry } from '#local-cloud/gateway/access-keys';
import { checkBrowserDoor } from '#local-cloud/gateway/browser-door';
import { OriginPolicy } from '#local-cloud/gateway/origin-policy';
import type { AwsRequest } from '#local-cloud/gateway/provider';
import { verifyRequestSignature } from '#local-cloud/gateway/sigv4';
import { signRequest } from '#harness/sign-request';
import { atMost, failedFigure, figure, type Figure } from '../figure.ts';
import { summarize } from '../stats.ts';

export const GATEWAY_CHECKS_TARGET_MS = 2;
const ID = 'gateway';
const TITLE = 'gateway checks per request';
const TARGET = 'p95 ≤ 2 ms';
const ENDPOINT = 'http://127.0.0.1:4566';

interface Prepared {
  request: AwsRequest;
  target: string;
}

/** One signed request of the mix, as the gateway holds it after reading it. */
function prepare(i: number): Prepared {
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
  const kind = i % 3;
  const [path, service, headers, body] =
    kind === 0
      ? ['/', 'sqs', { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' }, Buffer.from(JSON.stringify({ QueueUrl: `${ENDPOINT}/000000000000/q.fifo`, MessageBody: 'x'.repeat(900), MessageGroupId: 'g', MessageDeduplicationId: String(i) }))]
      : kind === 1
        ? ['/', 'dynamodb', { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.UpdateItem' }, Buffer.from(JSON.stringify({ TableName: 't', Key: { pk: { S: `s#${i}` } }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { S: 'y'.repeat(900) } } }))]
        : [`/bucket/recordings/s/${i}.ts`, 's3', { 'content-type': 'video/mp2t' }, Buffer.alloc(64 * 1024, i % 251)];
  const url = `${ENDPOINT}${path}`;
  const signed = signRequest({ method: kind === 2 ? 'PUT' : 'POST', url, headers: service === 's3' ? { ...headers, 'x-amz-content-sha256': sha(body) } : headers, body, service, credentials });
  const parsed = new URL(url);
  return {
    request: { method: kind === 2 ? 'PUT' : 'POST', path: parsed.pathname, query: parsed.searchParams, headers: signed, body, region: 'us-east-1', url: parsed, signingService: service },
    target: path,
  };
}

function sha(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Times the checks over `count` requests. */
export async function gatewayChecksFigure(count: number, log: (line: string) => void): Promise<Figure> {
  try {
    const keys = new AccessKeyRegistry();
    const policy = new OriginPolicy();
    policy.allowServer('http://127.0.0.1:3000');
    const prepared = Array.from({ length: count }, (_, i) => prepare(i));
    const samples: number[] = [];
    for (const { request, target } of prepared) {
      const started = performance.now();
      const refusal = checkBrowserDoor(request.headers, policy);
      if (refusal) throw new Error(`the door refused a local request: ${refusal.message}`);
      verifyRequestSignature(request, target, keys, Date.now());
      samples.push(performance.now() - started);
    }
    log(`  ${count} signed requests checked (SQS, DynamoDB, S3 64 KB PUT)`);
    return figure({
      id: ID,
      title: TITLE,
      unit: 'ms',
      target: TARGET,
      samples,
      checks: [atMost('p95', summarize(samples).p95, GATEWAY_CHECKS_TARGET_MS)],
      notes: [`${count} requests, one third each SQS SendMessage, DynamoDB UpdateItem (~1 KB JSON) and S3 PUT (64 KB); in process, the time before the provider runs`],
    });
  } catch (error) {
    return failedFigure(ID, TITLE, 'ms', TARGET, error);
  }
}
