/**
 * The S3 client, built once per container. The endpoint comes from the SDK's standard configuration.
 * Checksums only where an operation requires one: a presigned PUT made with the default (WHEN_SUPPORTED)
 * carries an `x-amz-checksum-crc32` of an empty body in its query, which the browser's upload then fails.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { tracer } from '../powertools.ts';

export const s3Client = tracer.captureAWSv3Client(new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED' }));
