/** HTTP API (payload 2.0) responses: JSON bodies with the right headers. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** A JSON response with the given status. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** 200 with a JSON body. */
export const ok = (body: unknown) => jsonResponse(200, body);

/** 201 with a JSON body. */
export const created = (body: unknown) => jsonResponse(201, body);

/** 202 with a JSON body: accepted, the work goes on asynchronously. */
export const accepted = (body: unknown) => jsonResponse(202, body);
