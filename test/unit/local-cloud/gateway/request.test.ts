import { describe, expect, it } from 'vitest';
import { credentialScopeOf, findProvider, parseCredential } from '#local-cloud/gateway/request';
import type { AwsRequest, ServiceProvider } from '#local-cloud/gateway/provider';

const provider = (signingNames: string[], targetPrefixes: string[] = []): ServiceProvider => ({ signingNames, targetPrefixes, handle: async () => ({ status: 200 }) });

function request(fields: Partial<AwsRequest>): AwsRequest {
  const url = new URL('http://127.0.0.1:4566/');
  return { method: 'POST', path: '/', query: url.searchParams, headers: {}, body: Buffer.alloc(0), region: 'us-east-1', url, ...fields };
}

describe('credential scopes', () => {
  it('parses a credential and refuses one without the aws4_request terminator', () => {
    expect(parseCredential('AKID/20260101/us-east-1/sqs/aws4_request')).toEqual({ accessKeyId: 'AKID', date: '20260101', region: 'us-east-1', service: 'sqs' });
    expect(parseCredential('AKID/20260101/us-east-1/sqs')).toBeUndefined();
  });

  it('reads the scope from the Authorization header before the query', () => {
    const query = new URLSearchParams({ 'X-Amz-Credential': 'Q/20260101/us-east-1/s3/aws4_request' });
    const headers = { authorization: 'AWS4-HMAC-SHA256 Credential=H/20260101/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=x' };
    expect(credentialScopeOf(headers, query)?.service).toBe('logs');
    expect(credentialScopeOf({}, query)?.service).toBe('s3');
  });
});

describe('findProvider', () => {
  const sqs = provider(['sqs'], ['AmazonSQS']);
  const s3 = provider(['s3']);
  const providers = [sqs, s3];

  it('prefers the signing service, then the target prefix, then S3', () => {
    expect(findProvider(providers, request({ signingService: 'sqs' }))).toBe(sqs);
    expect(findProvider(providers, request({ headers: { 'x-amz-target': 'AmazonSQS.SendMessage' } }))).toBe(sqs);
    expect(findProvider(providers, request({}))).toBe(s3);
  });

  it('finds nothing for a signed request to a service nobody provides', () => {
    expect(findProvider(providers, request({ signingService: 'kinesis' }))).toBeUndefined();
    expect(findProvider(providers, request({ headers: { 'x-amz-target': 'Kinesis_20131202.ListStreams' } }))).toBeUndefined();
  });
});
