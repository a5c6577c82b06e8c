/**
 * A small fake of the AWS APIs the controller calls, for running its command for real in a test:
 * IVS CreateParticipantToken (rest-json: it hands out a token the test got from a local IVS), SQS Receive/Delete/ChangeVisibility (JSON 1.0), DynamoDB
 * GetItem/UpdateItem (JSON 1.0), Step Functions SendTask* (JSON 1.0), S3 GetObject (path style, with Range).
 * It records every call; messages are delivered once each.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';

export interface FakeAwsCall {
  target: string;
  body: Record<string, unknown>;
}

export interface FakeAws {
  endpoint: string;
  calls: FakeAwsCall[];
  /** Messages the next ReceiveMessage calls return (bodies as objects). */
  enqueue(body: unknown, group: string): void;
  /** The participant token CreateParticipantToken returns, and its participant id. */
  participantToken: string;
  participantId: string;
  /** Items GetItem returns, by `pk|sk`. */
  items: Map<string, Record<string, unknown>>;
  /** S3 objects, by `/bucket/key`. */
  objects: Map<string, { body: Buffer; contentType: string }>;
  callsOf(target: string): FakeAwsCall[];
  close(): Promise<void>;
}

/** Starts the fake on a loopback ephemeral port. */
export async function startFakeAws(): Promise<FakeAws> {
  const queue: { id: number; body: string; group: string }[] = [];
  let nextId = 1;
  const calls: FakeAwsCall[] = [];
  const fake: FakeAws = {
    endpoint: '',
    calls,
    participantToken: '',
    participantId: 'controller-participant',
    items: new Map(),
    objects: new Map(),
    enqueue(body, group) {
      queue.push({ id: nextId++, body: JSON.stringify(body), group });
    },
    callsOf: (target) => calls.filter((c) => c.target === target),
    close: async () => undefined,
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const target = String(req.headers['x-amz-target'] ?? '');
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
      if (req.method === 'GET') {
        const object = fake.objects.get(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
        calls.push({ target: 'S3.GetObject', body: { path: req.url, range: req.headers.range } });
        if (!object) return void res.writeHead(404, { 'content-type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code></Error>');
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
        if (range) {
          const start = Number(range[1]);
          const end = Math.min(range[2] ? Number(range[2]) : object.body.length - 1, object.body.length - 1);
          return void res
            .writeHead(206, { 'content-type': object.contentType, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${object.body.length}` })
            .end(object.body.subarray(start, end + 1));
        }
        return void res.writeHead(200, { 'content-type': object.contentType, 'content-length': object.body.length }).end(object.body);
      }
      const body = raw.length ? (JSON.parse(raw) as Record<string, unknown>) : {};
      if (req.url === '/CreateParticipantToken') {
        calls.push({ target: 'IVS.CreateParticipantToken', body });
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ participantToken: { token: fake.participantToken, participantId: fake.participantId } }));
      }
      calls.push({ target, body });
      switch (target) {
        case 'AmazonSQS.ReceiveMessage': {
          if (queue.length === 0) await new Promise((r) => setTimeout(r, 300));
          const batch = queue.splice(0, Math.min(10, Number(body.MaxNumberOfMessages ?? 1)));
          return json(200, {
            Messages: batch.map((m) => ({
              MessageId: `m${m.id}`,
              ReceiptHandle: `rh${m.id}`,
              Body: m.body,
              MD5OfBody: createHash('md5').update(m.body).digest('hex'),
              Attributes: { MessageGroupId: m.group, ApproximateReceiveCount: '1', SequenceNumber: String(m.id) },
            })),
          });
        }
        case 'AmazonSQS.DeleteMessage':
        case 'AmazonSQS.ChangeMessageVisibilityBatch':
          return json(200, target.endsWith('Batch') ? { Successful: [], Failed: [] } : {});
        case 'DynamoDB_20120810.GetItem': {
          const key = body.Key as Record<string, { S: string }>;
          const item = fake.items.get(`${key.pk?.S}|${key.sk?.S}`);
          return json(200, item ? { Item: marshall(item) } : {});
        }
        case 'DynamoDB_20120810.UpdateItem':
          return json(200, {});
        case 'AWSStepFunctions.SendTaskSuccess':
        case 'AWSStepFunctions.SendTaskFailure':
        case 'AWSStepFunctions.SendTaskHeartbeat':
          return json(200, {});
        default:
          return json(400, { __type: 'UnknownOperationException', message: target });
      }
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return fake;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
