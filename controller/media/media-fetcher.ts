/**
 * The controller's media fetcher: decides on a programUrl with the shared policy, then reads it in ranges
 * from the media bucket (S3 SDK) or over hardened https, as the page's media element asks for them.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { MAX_MEDIA_BYTES, MEDIA_CONTENT_TYPES, MEDIA_FETCH_TIMEOUT_SECONDS } from '#contract/index';
import { readHttpsMedia, type HttpsFetchOptions } from './https-media-fetch.ts';
import { readS3Media } from './s3-media-fetch.ts';
import { sharedMediaPolicy, systemResolver, type MediaPolicy, type Resolver } from './media-policy.ts';
import { MediaRefusedError } from './media-errors.ts';
import type { MediaLimits, MediaSource } from './media-source.ts';

export const DEFAULT_MEDIA_LIMITS: MediaLimits = {
  maxBytes: MAX_MEDIA_BYTES,
  timeoutMs: MEDIA_FETCH_TIMEOUT_SECONDS * 1000,
  contentTypes: MEDIA_CONTENT_TYPES,
};

export interface MediaFetcherOptions {
  s3: S3Client;
  mediaBucket: string;
  policy?: MediaPolicy;
  resolve?: Resolver;
  limits?: MediaLimits;
  tls?: HttpsFetchOptions['tls'];
}

export interface MediaFetcher {
  /** The media a programUrl names, readable in ranges; throws MediaRefusedError when the policy refuses the URL. */
  open(programUrl: string): MediaSource;
  /** The limits every read is checked against. */
  readonly limits: MediaLimits;
}

/** Creates a media fetcher. */
export function createMediaFetcher(options: MediaFetcherOptions): MediaFetcher {
  const policy = options.policy ?? sharedMediaPolicy(options.mediaBucket);
  const limits = options.limits ?? DEFAULT_MEDIA_LIMITS;
  const resolve = options.resolve ?? systemResolver;
  return {
    limits,
    open(programUrl) {
      const decision = policy.checkUrl(programUrl);
      if (!decision.allowed) throw new MediaRefusedError(`programUrl refused: ${decision.reason}`);
      if (decision.kind === 's3') {
        if (decision.bucket !== options.mediaBucket) throw new MediaRefusedError('programUrl refused: not the media bucket');
        const { bucket, key } = decision;
        return { identity: `s3://${bucket}/${key}`, read: (range, signal) => readS3Media(options.s3, bucket, key, range, limits, signal) };
      }
      const url = decision.url;
      return { read: (range, signal) => readHttpsMedia(url, range, { policy, resolve, limits, tls: options.tls }, signal) };
    },
  };
}
