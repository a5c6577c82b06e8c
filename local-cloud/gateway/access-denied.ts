/**
 * The AccessDenied answer of each service, in its wire shape, as AWS sends it when IAM denies a request:
 * - JSON 1.0/1.1 services (DynamoDB, Step Functions, ECS, Logs, EventBridge): 400 `AccessDeniedException`;
 * - SQS: 403, `AccessDenied` in the query protocol's XML, or over JSON `__type
 *   com.amazonaws.sqs#AccessDeniedException` with `x-amzn-query-error: AccessDenied;Sender`;
 * - rest-json services (Lambda, IVS): 403 `AccessDeniedException` (x-amzn-errortype);
 * - S3: 403 `<Error><Code>AccessDenied</Code>`; IAM (query): 403 `AccessDenied` in an ErrorResponse.
 * The message names the principal, the action and the resource, as AWS's does (no secret is in any of them).
 */
import { jsonError } from './json-protocol.ts';
import { protocolError, xmlEscape } from './error-shapes.ts';
import type { AwsRequest, AwsResponse } from './provider.ts';

/** AWS's wording of a denial: `User: <arn> is not authorized to perform: <action> on resource: <arn> because ...`. */
export function accessDeniedMessage(principalArn: string, action: string, resource: string, explicit: boolean): string {
  const why = explicit ? 'with an explicit deny in a policy' : `because no identity-based policy allows the ${action} action`;
  return `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
}

/** The AccessDenied response of the service `service` (a signing name) for `request`. */
export function accessDeniedResponse(request: AwsRequest, service: string, message: string, requestId: string): AwsResponse {
  const contentType = request.headers['content-type'] ?? '';
  const jsonTarget = Boolean(request.headers['x-amz-target']) || contentType.startsWith('application/x-amz-json');
  if (service === 'sqs') {
    if (jsonTarget) {
      return {
        status: 403,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'AccessDenied;Sender' },
        body: JSON.stringify({ __type: 'com.amazonaws.sqs#AccessDeniedException', message }),
      };
    }
    return {
      status: 403,
      headers: { 'content-type': 'text/xml' },
      body:
        `<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type>` +
        `<Code>AccessDenied</Code><Message>${xmlEscape(message)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  if (jsonTarget) return jsonError('AccessDeniedException', message, 400, contentType.includes('1.1') ? '1.1' : '1.0');
  if (service === 'lambda' || service === 'ivs') {
    return {
      status: 403,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' },
      body: JSON.stringify(service === 'lambda' ? { Type: 'User', Message: message } : { message }),
    };
  }
  if (service === 'iam') {
    return {
      status: 403,
      headers: { 'content-type': 'text/xml' },
      body:
        `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>` +
        `<Code>AccessDenied</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  // S3's XML <Error> (protocolError's fallback shape).
  return protocolError({ ...request, headers: { ...request.headers, 'content-type': '' } }, 'AccessDenied', message, 403, requestId);
}
