/**
 * TaskResources on the AWS SDK v3: Lambda Invoke and SQS SendMessage, shaped and failing as Step
 * Functions' optimized integrations do. The clients take their endpoints from the SDK's standard
 * configuration (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_LAMBDA, ...), so the same code reaches AWS or the
 * local cloud. With `clientsFor`, each call is made with the clients of the execution's role (the state
 * machine's role, as Step Functions assumes it); without it, with the default credential chain.
 */
import { InvokeCommand, LambdaClient, type InvocationType } from '@aws-sdk/client-lambda';
import { SendMessageCommand, SQSClient, type SendMessageCommandInput } from '@aws-sdk/client-sqs';
import { TaskResourceError } from './errors.ts';
import { isJsonObject, type JsonObject, type JsonValue } from './json.ts';
import type { TaskInvocation, TaskResources } from './task-resources.ts';

export interface SdkTaskResourcesOptions {
  lambda?: LambdaClient;
  sqs?: SQSClient;
  /** The clients that act as a role (the state machine's role of the execution). */
  clientsFor?: (roleArn: string) => { lambda: LambdaClient; sqs: SQSClient };
}

/** Error name when a service answered with an exception this mapping does not name. */
const GENERIC_SERVICE_ERROR = { lambda: 'Lambda.AWSLambdaException', sqs: 'SQS.AmazonSQSException' } as const;
/** Error name when the service could not be reached or answered nothing usable. */
const CLIENT_ERROR = { lambda: 'Lambda.SdkClientException', sqs: 'SQS.SdkClientException' } as const;
/** Error name of a function error without an errorType. */
const UNKNOWN_FUNCTION_ERROR = 'Lambda.Unknown';

/** Task resources that call Lambda and SQS through the AWS SDK. */
export function createSdkTaskResources(options: SdkTaskResourcesOptions = {}): TaskResources {
  const defaultLambda = options.lambda ?? new LambdaClient({});
  const defaultSqs = options.sqs ?? new SQSClient({});
  return {
    async invoke(invocation: TaskInvocation): Promise<JsonValue> {
      const { parsed } = invocation;
      const { lambda, sqs } = options.clientsFor ? options.clientsFor(invocation.roleArn) : { lambda: defaultLambda, sqs: defaultSqs };
      try {
        if (parsed.kind === 'lambdaFunction') return (await invokeLambda(lambda, parsed.arn, invocation.parameters, invocation.signal)).Payload ?? null;
        if (parsed.service === 'lambda') return await invokeIntegration(lambda, invocation);
        return await sendMessage(sqs, invocation);
      } catch (error) {
        throw toTaskError(parsed.service, error);
      }
    },
  };
}

async function invokeIntegration(lambda: LambdaClient, invocation: TaskInvocation): Promise<JsonValue> {
  const parameters = objectParameters(invocation.parameters, 'lambda:invoke');
  const functionName = parameters.FunctionName;
  if (typeof functionName !== 'string') throw new TaskResourceError('States.Runtime', 'lambda:invoke needs a FunctionName');
  return invokeLambda(lambda, functionName, parameters.Payload, invocation.signal, {
    InvocationType: parameters.InvocationType as InvocationType | undefined,
    Qualifier: parameters.Qualifier as string | undefined,
    ClientContext: parameters.ClientContext as string | undefined,
  });
}

async function invokeLambda(
  lambda: LambdaClient,
  functionName: string,
  payload: JsonValue | undefined,
  abortSignal: AbortSignal,
  extra: { InvocationType?: InvocationType | undefined; Qualifier?: string | undefined; ClientContext?: string | undefined } = {},
): Promise<JsonObject> {
  const body = payload === undefined ? undefined : typeof payload === 'string' ? payload : JSON.stringify(payload);
  const response = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      ...(body !== undefined ? { Payload: Buffer.from(body) } : {}),
      ...definedOnly(extra),
    }),
    { abortSignal },
  );
  const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
  if (response.FunctionError) {
    const errorType = parseJson(text);
    const name = isJsonObject(errorType) && typeof errorType.errorType === 'string' ? errorType.errorType : UNKNOWN_FUNCTION_ERROR;
    throw new TaskResourceError(name, text);
  }
  const statusCode = response.StatusCode ?? 200;
  return {
    ExecutedVersion: response.ExecutedVersion ?? '$LATEST',
    Payload: text === '' ? null : parseJson(text),
    SdkHttpMetadata: { HttpStatusCode: statusCode },
    SdkResponseMetadata: { RequestId: response.$metadata?.requestId ?? '' },
    StatusCode: statusCode,
  };
}

async function sendMessage(sqs: SQSClient, invocation: TaskInvocation): Promise<JsonValue> {
  const parameters = objectParameters(invocation.parameters, 'sqs:sendMessage');
  const { MessageBody, ...rest } = parameters;
  const body = typeof MessageBody === 'string' ? MessageBody : JSON.stringify(MessageBody);
  const input = { ...rest, MessageBody: body } as unknown as SendMessageCommandInput;
  const response = await sqs.send(new SendMessageCommand(input), { abortSignal: invocation.signal });
  const result: JsonObject = {
    MD5OfMessageBody: response.MD5OfMessageBody ?? '',
    MessageId: response.MessageId ?? '',
    SdkHttpMetadata: { HttpStatusCode: response.$metadata?.httpStatusCode ?? 200 },
    SdkResponseMetadata: { RequestId: response.$metadata?.requestId ?? '' },
  };
  if (response.SequenceNumber !== undefined) result.SequenceNumber = response.SequenceNumber;
  return result;
}

function objectParameters(parameters: JsonValue, integration: string): JsonObject {
  if (!isJsonObject(parameters)) throw new TaskResourceError('States.Runtime', `${integration} needs its Parameters as an object`);
  return parameters;
}

/** An SDK failure as the ASL error Step Functions reports for the integration. */
function toTaskError(service: 'lambda' | 'sqs', error: unknown): TaskResourceError {
  if (error instanceof TaskResourceError) return error;
  const sdkError = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };
  const message = sdkError.message ?? String(error);
  if (sdkError.$metadata?.httpStatusCode === undefined || !sdkError.$fault) {
    return new TaskResourceError(CLIENT_ERROR[service], message, { cause: error });
  }
  const prefix = service === 'lambda' ? 'Lambda' : 'SQS';
  const name = sdkError.name && sdkError.name !== 'Error' ? `${prefix}.${sdkError.name}` : GENERIC_SERVICE_ERROR[service];
  return new TaskResourceError(name, message, { cause: error });
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
