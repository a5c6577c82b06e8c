/** HTTP API (payload 2.0) redirects. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** 302 Found to `location`, not cached (the location is a short-lived presigned URL). */
export function found(location: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 302, headers: { location, 'cache-control': 'no-store' } };
}
