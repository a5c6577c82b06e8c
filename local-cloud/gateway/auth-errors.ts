/**
 * The answer AWS sends when it refuses a request's authentication, in the shape of the service's own
 * protocol (the SDKs and CLIs read the code from there):
 * - S3 (REST-XML, 403): `AccessDenied` (no signature: an anonymous request), `InvalidAccessKeyId`,
 *   `SignatureDoesNotMatch`, `RequestTimeTooSkewed`, `AccessDenied` "Request has expired" (presigned URL),
 *   `InvalidToken`, `XAmzContentSHA256Mismatch` (400), `AuthorizationHeaderMalformed` /
 *   `AuthorizationQueryParametersError` (400).
 * - SQS (query XML, or JSON 1.0 with the `x-amzn-query-error` header; 403): `InvalidClientTokenId`,
 *   `SignatureDoesNotMatch` (also for a skewed clock: "Signature expired"), `MissingAuthenticationToken`,
 *   `IncompleteSignature` (400).
 * - JSON 1.0/1.1 services (DynamoDB, Step Functions, ECS, Logs, EventBridge; 400): `UnrecognizedClientException`,
 *   `InvalidSignatureException` (also "Signature expired"), `MissingAuthenticationTokenException`,
 *   `IncompleteSignatureException`.
 * - REST-JSON services (Lambda, IVS; 403, code in `x-amzn-errortype`): the same exception names as JSON.
 * `accessDeniedResponse` gives the same services' answer to a request that is authenticated but not allowed.
 */
import { xmlEscape } from './error-shapes.ts';
import type { AwsRequest, AwsResponse } from './provider.ts';
import type { SignatureFailure, SignatureFailureKind } from './sigv4.ts';

/** How a service's errors are shaped on the wire. */
export type ErrorFamily = 's3' | 'sqs' | 'json' | 'rest-json';

const REST_JSON_SERVICES = new Set(['lambda', 'ivs']);

/** The error family of a signing name. */
export function errorFamilyOf(service: string): ErrorFamily {
  if (service === 's3') return 's3';
  if (service === 'sqs') return 'sqs';
  return REST_JSON_SERVICES.has(service) ? 'rest-json' : 'json';
}

interface Refusal {
  code: string;
  status: number;
  message: string;
}

const S3_CODES: Record<SignatureFailureKind, (f: SignatureFailure) => Refusal> = {
  missing: () => ({ code: 'AccessDenied', status: 403, message: 'Access Denied' }),
  malformed: (f) => ({ code: f.location === 'query' ? 'AuthorizationQueryParametersError' : 'AuthorizationHeaderMalformed', status: 400, message: f.message }),
  'unknown-key': () => ({ code: 'InvalidAccessKeyId', status: 403, message: 'The AWS Access Key Id you provided does not exist in our records.' }),
  'invalid-token': () => ({ code: 'InvalidToken', status: 400, message: 'The provided token is malformed or otherwise invalid.' }),
  'bad-signature': (f) => ({ code: 'SignatureDoesNotMatch', status: 403, message: f.message }),
  skewed: () => ({ code: 'RequestTimeTooSkewed', status: 403, message: 'The difference between the request time and the current time is too large.' }),
  expired: () => ({ code: 'AccessDenied', status: 403, message: 'Request has expired' }),
  'payload-mismatch': (f) => ({ code: 'XAmzContentSHA256Mismatch', status: 400, message: f.message }),
};

const SQS_CODES: Record<SignatureFailureKind, (f: SignatureFailure) => Refusal> = {
  missing: () => ({ code: 'MissingAuthenticationToken', status: 403, message: 'Request is missing Authentication Token' }),
  malformed: (f) => ({ code: 'IncompleteSignature', status: 400, message: f.message }),
  'unknown-key': (f) => ({ code: 'InvalidClientTokenId', status: 403, message: f.message }),
  'invalid-token': (f) => ({ code: 'InvalidClientTokenId', status: 403, message: f.message }),
  'bad-signature': (f) => ({ code: 'SignatureDoesNotMatch', status: 403, message: f.message }),
  skewed: (f) => ({ code: 'SignatureDoesNotMatch', status: 403, message: f.message }),
  expired: () => ({ code: 'SignatureDoesNotMatch', status: 403, message: 'Signature expired' }),
  'payload-mismatch': (f) => ({ code: 'SignatureDoesNotMatch', status: 403, message: f.message }),
};

function jsonCodes(status: number): Record<SignatureFailureKind, (f: SignatureFailure) => Refusal> {
  return {
    missing: () => ({ code: 'MissingAuthenticationTokenException', status, message: status === 403 ? 'Missing Authentication Token' : 'Request is missing Authentication Token' }),
    malformed: (f) => ({ code: 'IncompleteSignatureException', status, message: f.message }),
    'unknown-key': (f) => ({ code: 'UnrecognizedClientException', status, message: f.message }),
    'invalid-token': (f) => ({ code: 'UnrecognizedClientException', status, message: f.message }),
    'bad-signature': (f) => ({ code: 'InvalidSignatureException', status, message: f.message }),
    skewed: (f) => ({ code: 'InvalidSignatureException', status, message: f.message }),
    expired: () => ({ code: 'InvalidSignatureException', status, message: 'Signature expired' }),
    'payload-mismatch': (f) => ({ code: 'InvalidSignatureException', status, message: f.message }),
  };
}
const JSON_CODES = jsonCodes(400);
const REST_JSON_CODES = jsonCodes(403);

/** Whether an SQS request speaks the JSON protocol (else the query protocol). */
function isJsonRequest(request: AwsRequest): boolean {
  return request.headers['x-amz-target'] !== undefined || (request.headers['content-type'] ?? '').startsWith('application/x-amz-json');
}

function s3Error(request: AwsRequest, refusal: Refusal, requestId: string, extra: Record<string, string>): AwsResponse {
  const fields = Object.entries(extra).map(([name, value]) => `<${name}>${xmlEscape(value)}</${name}>`).join('');
  return {
    status: refusal.status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body:
      request.method === 'HEAD'
        ? ''
        : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(refusal.code)}</Code><Message>${xmlEscape(refusal.message)}</Message>` +
          `${fields}<RequestId>${requestId}</RequestId></Error>`,
  };
}

/** An error answer of `service` for `refusal`, shaped as that service sends it. */
export function serviceErrorResponse(request: AwsRequest, service: string, refusal: Refusal, requestId: string, s3Extra: Record<string, string> = {}): AwsResponse {
  const family = errorFamilyOf(service);
  if (family === 's3') return s3Error(request, refusal, requestId, s3Extra);
  if (family === 'sqs') {
    if (isJsonRequest(request)) {
      return {
        status: refusal.status,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${refusal.code};Sender` },
        body: JSON.stringify({ __type: `com.amazon.coral.service#${refusal.code}`, message: refusal.message }),
      };
    }
    return {
      status: refusal.status,
      headers: { 'content-type': 'text/xml' },
      body:
        `<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type>` +
        `<Code>${xmlEscape(refusal.code)}</Code><Message>${xmlEscape(refusal.message)}</Message><Detail/></Error>` +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  const contentType = family === 'rest-json' ? 'application/json' : (request.headers['content-type'] ?? '').includes('1.1') ? 'application/x-amz-json-1.1' : 'application/x-amz-json-1.0';
  return {
    status: refusal.status,
    headers: { 'content-type': contentType, 'x-amzn-errortype': `${refusal.code}:` },
    body: JSON.stringify(family === 'rest-json' ? { message: refusal.message } : { __type: refusal.code, message: refusal.message }),
  };
}

/** The answer to a request whose signature `failure` refused, as `service` answers it on AWS. */
export function signatureErrorResponse(request: AwsRequest, service: string, failure: SignatureFailure, requestId: string): AwsResponse {
  const family = errorFamilyOf(service);
  const table = family === 's3' ? S3_CODES : family === 'sqs' ? SQS_CODES : family === 'rest-json' ? REST_JSON_CODES : JSON_CODES;
  const refusal = table[failure.kind](failure);
  const extra: Record<string, string> = {};
  if (refusal.code === 'InvalidAccessKeyId' && failure.details.accessKeyId) extra['AWSAccessKeyId'] = failure.details.accessKeyId;
  if (refusal.code === 'RequestTimeTooSkewed') {
    if (failure.details.requestTime) extra['RequestTime'] = failure.details.requestTime;
    if (failure.details.serverTime) extra['ServerTime'] = failure.details.serverTime;
    extra['MaxAllowedSkewMilliseconds'] = '900000';
  }
  return serviceErrorResponse(request, service, refusal, requestId, extra);
}

/** The answer to an authenticated request that is not allowed (AccessDenied in the service's shape). */
export function accessDeniedResponse(request: AwsRequest, service: string, message: string, requestId: string): AwsResponse {
  const family = errorFamilyOf(service);
  const refusal =
    family === 's3'
      ? { code: 'AccessDenied', status: 403, message }
      : family === 'sqs'
        ? { code: 'AccessDenied', status: 403, message }
        : { code: 'AccessDeniedException', status: family === 'rest-json' ? 403 : 400, message };
  return serviceErrorResponse(request, service, refusal, requestId);
}
