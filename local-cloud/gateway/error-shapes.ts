/**
 * Gateway-level errors (no such service, a provider that failed) in the shape the caller's protocol
 * expects: JSON for X-Amz-Target requests, the query protocol's ErrorResponse for form posts, S3's
 * <Error> otherwise.
 */
import { jsonError } from './json-protocol.ts';
import type { AwsRequest, AwsResponse } from './provider.ts';

/** Escapes text for an XML element. */
export function xmlEscape(text: string): string {
  return text.replace(/[<>&'"\r]/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === "'" ? '&apos;' : c === '"' ? '&quot;' : '&#13;',
  );
}

/** An error answer shaped for the protocol of `request`. */
export function protocolError(request: AwsRequest, code: string, message: string, status: number, requestId: string): AwsResponse {
  const contentType = request.headers['content-type'] ?? '';
  if (request.headers['x-amz-target'] || contentType.startsWith('application/x-amz-json')) {
    return jsonError(code, message, status, contentType.includes('1.1') ? '1.1' : '1.0');
  }
  const type = status >= 500 ? 'Receiver' : 'Sender';
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    return {
      status,
      headers: { 'content-type': 'text/xml' },
      body:
        `<?xml version="1.0"?><ErrorResponse><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code>` +
        `<Message>${xmlEscape(message)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message>` +
      `<RequestId>${requestId}</RequestId></Error>`,
  };
}
