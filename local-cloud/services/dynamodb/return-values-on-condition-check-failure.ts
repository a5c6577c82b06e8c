/**
 * `ReturnValuesOnConditionCheckFailure` for the local DynamoDB: dynalite drops the parameter, so a failed
 * conditional write comes back without the item. AWS, asked for `ALL_OLD`, sends the item in the error body
 * beside `__type` and `message` (`{"__type":"...#ConditionalCheckFailedException","message":"The conditional
 * request failed","Item":{...}}`; LocalStack's `tests/aws/services/dynamodb/test_dynamodb.snapshot.json`,
 * `test_return_values_on_conditions_check_failure`, recorded against AWS 2025-10-08), and the SDKs put it on
 * the exception (`ConditionalCheckFailedException.Item`). Written here because no emulator on npm has it.
 *
 * The item is read with a strongly consistent GetItem after the write failed; a write between the two is
 * seen (AWS returns the item the condition was evaluated on).
 */
import { crc32 } from 'node:zlib';
import type { AwsRequest, AwsResponse } from '#local-cloud/gateway/provider';

/** Sends one request of the provider's own to dynalite (operation name, JSON body). */
export type DynaliteCall = (operation: string, body: unknown) => Promise<AwsResponse>;

/** The single-item writes that take the parameter (transactions are not served by dynalite). */
const OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
const VALUES = ['ALL_OLD', 'NONE'];
const CONDITION_FAILED = 'ConditionalCheckFailedException';

type AttributeMap = Record<string, unknown>;

interface WriteInput {
  TableName?: unknown;
  Key?: unknown;
  Item?: unknown;
  ReturnValuesOnConditionCheckFailure?: unknown;
}

function operationOf(request: AwsRequest): string {
  const target = request.headers['x-amz-target'] ?? '';
  return target.slice(target.indexOf('.') + 1);
}

/** The JSON of a body (dynalite's answers are buffers); undefined when it is not JSON. */
function parse(body: AwsResponse['body'] | Buffer): unknown {
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) return undefined;
  try {
    return JSON.parse(body.toString()) as unknown;
  } catch {
    return undefined;
  }
}

function jsonAnswer(status: number, headers: Record<string, string>, body: unknown): AwsResponse {
  const bytes = Buffer.from(JSON.stringify(body));
  const out: Record<string, string> = { ...headers, 'content-length': String(bytes.length) };
  // The SDKs check DynamoDB's checksum of the body they read.
  if ('x-amz-crc32' in out) out['x-amz-crc32'] = String(crc32(bytes));
  return { status, headers: out, body: bytes };
}

/** AWS's answer to a value outside the enum (its validation message). */
function validationError(value: unknown): AwsResponse {
  return jsonAnswer(400, { 'content-type': 'application/x-amz-json-1.0' }, {
    __type: 'com.amazon.coral.validate#ValidationException',
    message: `1 validation error detected: Value '${String(value)}' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [${VALUES.join(', ')}]`,
  });
}

/** The key of the item a write names: its Key, or for PutItem the key attributes of its Item. */
async function keyOf(input: WriteInput, call: DynaliteCall): Promise<AttributeMap | undefined> {
  if (input.Key && typeof input.Key === 'object') return input.Key as AttributeMap;
  if (!input.Item || typeof input.Item !== 'object') return undefined;
  const described = await call('DescribeTable', { TableName: input.TableName });
  if (described.status !== 200) return undefined;
  const schema = (parse(described.body) as { Table?: { KeySchema?: { AttributeName: string }[] } } | undefined)?.Table?.KeySchema ?? [];
  const item = input.Item as AttributeMap;
  return Object.fromEntries(schema.map(({ AttributeName }) => [AttributeName, item[AttributeName]]));
}

/**
 * Serves a write through `forward` (the request as it came) and, when it asked for ALL_OLD and its
 * condition failed, adds the item to the error as AWS does.
 */
export async function withItemOnConditionCheckFailure(
  request: AwsRequest,
  call: DynaliteCall,
  forward: () => Promise<AwsResponse>,
): Promise<AwsResponse> {
  if (!OPERATIONS.has(operationOf(request))) return forward();
  const input = parse(request.body) as WriteInput | undefined;
  const wanted = input?.ReturnValuesOnConditionCheckFailure;
  if (wanted === undefined) return forward();
  if (!VALUES.includes(String(wanted))) return validationError(wanted);
  const answer = await forward();
  if (wanted !== 'ALL_OLD' || answer.status !== 400 || !input) return answer;
  const error = parse(answer.body) as { __type?: string } | undefined;
  if (!error?.__type?.endsWith(`#${CONDITION_FAILED}`)) return answer;
  const key = await keyOf(input, call);
  if (!key) return answer;
  const read = await call('GetItem', { TableName: input.TableName, Key: key, ConsistentRead: true });
  const item = read.status === 200 ? (parse(read.body) as { Item?: AttributeMap } | undefined)?.Item : undefined;
  if (!item) return answer;
  return jsonAnswer(answer.status, answer.headers ?? {}, { ...error, Item: item });
}
