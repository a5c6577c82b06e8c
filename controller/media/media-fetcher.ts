/**
 * The controller's media fetcher: decides on a programUrl with the shared policy, then fetches it from
 * the media bucket (S3 SDK) or over hardened https into a temp file the page can load.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { MAX_MEDIA_BYTES, MEDIA_CONTENT_TYPES, MEDIA_FETCH_TIMEOUT_SECONDS } from '#contract/index';
import { fetchHttpsMedia, type FetchedFile, type HttpsFetchOptions, type MediaLimits } from './https-media-fetch.ts';
import { fetchS3Media } from './s3-media-fetch.ts';
import { sharedMediaPolicy, systemResolver, type MediaPolicy, type Resolver } from './media-policy.ts';
import { MediaRefusedError } from './media-errors.ts';

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
  /** Fetches a programUrl into a temp file; throws CommandRejectedError subclasses when it cannot. */
  fetch(programUrl: string): Promise<FetchedFile>;
  /** Removes the temp directory. */
  close(): Promise<void>;
}

/** Creates a media fetcher writing into its own temp directory. */
export async function createMediaFetcher(options: MediaFetcherOptions): Promise<MediaFetcher> {
  const dir = await mkdtemp(join(tmpdir(), 'shelcaster-media-'));
  const policy = options.policy ?? sharedMediaPolicy(options.mediaBucket);
  const limits = options.limits ?? DEFAULT_MEDIA_LIMITS;
  const resolve = options.resolve ?? systemResolver;
  return {
    async fetch(programUrl) {
      const decision = policy.checkUrl(programUrl);
      if (!decision.allowed) throw new MediaRefusedError(`programUrl refused: ${decision.reason}`);
      const filePath = join(dir, randomUUID());
      if (decision.kind === 's3') {
        if (decision.bucket !== options.mediaBucket) throw new MediaRefusedError('programUrl refused: not the media bucket');
        return fetchS3Media(options.s3, decision.bucket, decision.key, filePath, limits);
      }
      return fetchHttpsMedia(decision.url, filePath, { policy, resolve, limits, tls: options.tls });
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}
