/**
 * What a Task state's Resource is, and the seam through which the engine runs it. The engine knows the
 * ASL side (tokens, timeouts, retries); a TaskResources implementation knows how to reach the service.
 */
import { WAIT_FOR_TASK_TOKEN_SUFFIX } from './constants.ts';
import type { JsonValue } from './json.ts';

/** One attempt of a Task state, as handed to the resource. */
export interface TaskInvocation {
  /** The Resource ARN as the definition writes it. */
  resource: string;
  parsed: ParsedResource;
  /** The effective parameters (InputPath and Parameters applied). */
  parameters: JsonValue;
  /** The attempt's task token, for `.waitForTaskToken` resources only. */
  taskToken?: string;
  /** Aborted when the attempt times out or the execution stops. */
  signal: AbortSignal;
  executionArn: string;
  /** The state machine's role: integrations call other services as this role. */
  roleArn: string;
  stateName: string;
}

/**
 * Runs task resources. `invoke` resolves with the task's result (for a callback resource: the result of
 * sending the token, which the history records as TaskSubmitted) or rejects with a TaskResourceError
 * whose name is the ASL error name (`Shelcaster.Transient`, `SQS.SdkClientException`, ...).
 */
export interface TaskResources {
  invoke(invocation: TaskInvocation): Promise<JsonValue>;
}

/** A Resource the interpreter can run. */
export interface ParsedResource {
  arn: string;
  /** `lambda:invoke`-style service integration, or a bare Lambda function ARN. */
  kind: 'integration' | 'lambdaFunction';
  service: 'lambda' | 'sqs';
  action: 'invoke' | 'sendMessage';
  /** `.waitForTaskToken`: the task waits for SendTaskSuccess/Failure with its token. */
  callback: boolean;
  /** `resourceType` and `resource` as the history's TaskScheduled event names them. */
  resourceType: string;
  resourceName: string;
}

const INTEGRATION_PATTERN = /^arn:aws[\w-]*:states:[\w-]*:\d*:(lambda|sqs):(invoke|sendMessage)(\.waitForTaskToken)?$/;
const LAMBDA_FUNCTION_PATTERN = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:[\w-]{1,64}(:[\w$-]+)?$/;

/** The integrations this interpreter runs, for error messages. */
export const SUPPORTED_RESOURCES = [
  'arn:aws:states:::lambda:invoke',
  'arn:aws:states:::lambda:invoke.waitForTaskToken',
  'arn:aws:states:::sqs:sendMessage',
  'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
  'arn:aws:lambda:<region>:<account>:function:<name>',
] as const;

/** Parses a Task Resource; undefined when the interpreter cannot run it. */
export function parseResource(arn: string): ParsedResource | undefined {
  const integration = INTEGRATION_PATTERN.exec(arn);
  if (integration) {
    const service = integration[1] as 'lambda' | 'sqs';
    const action = integration[2] as 'invoke' | 'sendMessage';
    if ((service === 'lambda') !== (action === 'invoke')) return undefined;
    const callback = integration[3] === WAIT_FOR_TASK_TOKEN_SUFFIX;
    return { arn, kind: 'integration', service, action, callback, resourceType: service, resourceName: `${action}${integration[3] ?? ''}` };
  }
  if (LAMBDA_FUNCTION_PATTERN.test(arn)) {
    return { arn, kind: 'lambdaFunction', service: 'lambda', action: 'invoke', callback: false, resourceType: 'lambda', resourceName: arn };
  }
  return undefined;
}
