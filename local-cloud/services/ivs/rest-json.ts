/**
 * The REST-JSON wire shape of IVS real-time: JSON bodies, errors named by the `x-amzn-ErrorType` header
 * with an `exceptionMessage` member, the HTTP status of each exception as the service model gives it.
 */
import { randomUUID } from 'node:crypto';
import type { AwsResponse } from '#local-cloud/gateway/provider';
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';

/** HTTP status of each IVS real-time exception (the service model's `httpError`). */
export const IVS_ERROR_STATUS = {
  ValidationException: 400,
  AccessDeniedException: 403,
  PendingVerification: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ServiceQuotaExceededException: 402,
  InternalServerException: 500,
  SerializationException: 400,
  UnknownOperationException: 404,
} as const;
export type IvsErrorType = keyof typeof IVS_ERROR_STATUS;

/** An IVS exception, thrown inside the provider and answered in IVS's error shape. */
export function ivsError(type: IvsErrorType, message: string): AwsServiceError {
  return new AwsServiceError(type, message, IVS_ERROR_STATUS[type]);
}

/** A successful answer. */
export function restJsonOk(body: unknown): AwsResponse {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(body ?? {}),
  };
}

/** An error answer as IVS sends it. */
export function restJsonError(type: string, message: string, status: number): AwsResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify({ exceptionMessage: message }),
  };
}
