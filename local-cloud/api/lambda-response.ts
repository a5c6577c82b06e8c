/**
 * The HTTP answer API Gateway makes of a function's result (payload format 2.0): a `{statusCode, headers,
 * cookies, body, isBase64Encoded}` object as given; any other JSON value → 200 `application/json` with the
 * value as body; a function error or a malformed result → 500 `{"message":"Internal Server Error"}`.
 */
import type { InvokeResult } from '../gateway/internal.ts';

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

/** API Gateway's own answers, byte for byte. */
export const GATEWAY_ANSWERS = {
  internalServerError: { statusCode: 500, message: 'Internal Server Error' },
  unauthorized: { statusCode: 401, message: 'Unauthorized' },
  notFound: { statusCode: 404, message: 'Not Found' },
} as const;

/** One of API Gateway's `{"message": ...}` answers. */
export function gatewayAnswer(answer: { statusCode: number; message: string }): HttpAnswer {
  return {
    statusCode: answer.statusCode,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(JSON.stringify({ message: answer.message })),
  };
}

function isStructured(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'statusCode' in value;
}

/** Maps a Lambda invocation result to the HTTP answer. */
export function answerFromLambda(result: InvokeResult): HttpAnswer {
  if (result.functionError) return gatewayAnswer(GATEWAY_ANSWERS.internalServerError);
  const payload = result.payload;
  if (!isStructured(payload)) {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload ?? null)),
    };
  }
  const { statusCode, headers = {}, cookies = [], body, isBase64Encoded = false } = payload;
  const valid =
    typeof statusCode === 'number' &&
    Number.isInteger(statusCode) &&
    statusCode >= 100 &&
    statusCode <= 599 &&
    typeof headers === 'object' &&
    headers !== null &&
    Array.isArray(cookies) &&
    cookies.every((c) => typeof c === 'string') &&
    (body === undefined || body === null || typeof body === 'string') &&
    typeof isBase64Encoded === 'boolean';
  if (!valid) return gatewayAnswer(GATEWAY_ANSWERS.internalServerError);
  const flatHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      return gatewayAnswer(GATEWAY_ANSWERS.internalServerError);
    }
    flatHeaders[name.toLowerCase()] = String(value);
  }
  const text = typeof body === 'string' ? body : '';
  return {
    statusCode,
    headers: flatHeaders,
    cookies: cookies as string[],
    body: isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text),
  };
}
