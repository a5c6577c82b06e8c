/**
 * The controller's media fetcher: decides on a programUrl with the shared policy, then reads it in ranges
 * from the media bucket (S3 SDK) or over hardened https, as the page's media element asks for them.
 *
 * An https URL has no identity when first played. The fetcher remembers the version (strong ETag) its reads
 * return, and a later PLAY of the URL is that version, read with If-Match: it has an identity, so the page gets
 * the same path for it each time and Chromium finds its bytes again rather than keeping another copy
 * (media-proxy.ts). A read that finds another version fails transiently (MediaChangedError) and the version
 * is forgotten, so the command's next try plays the URL afresh.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { MAX_MEDIA_BYTES, MEDIA_CONTENT_TYPES, MEDIA_FETCH_TIMEOUT_SECONDS } from '#contract/index';
import { readHttpsMedia, type HttpsFetchOptions } from './https-media-fetch.ts';
import { readS3Media } from './s3-media-fetch.ts';
import { sharedMediaPolicy, systemResolver, type MediaPolicy, type Resolver } from './media-policy.ts';
import { MediaChangedError, MediaRefusedError } from './media-errors.ts';
import type { MediaLimits, MediaSource } from './media-source.ts';

/** How many https URLs' versions a fetcher remembers (the oldest forgotten first). */
export const REMEMBERED_VERSIONS = 1000;

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
  const versions = new RememberedVersions(REMEMBERED_VERSIONS);
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
      const version = versions.get(url.href);
      const read: MediaSource['read'] = async (range, signal) => {
        try {
          const chunk = await readHttpsMedia(url, range, { policy, resolve, limits, tls: options.tls }, signal, version);
          if (version === undefined) versions.remember(url.href, chunk.version);
          return chunk;
        } catch (error) {
          if (error instanceof MediaChangedError) versions.forget(url.href);
          throw error;
        }
      };
      return version === undefined ? { read } : { identity: `${url.href} ${version}`, read };
    },
  };
}

/** The last version each https URL's reads returned, for at most `capacity` URLs (the least recent forgotten). */
class RememberedVersions {
  private readonly byUrl = new Map<string, string>();

  constructor(private readonly capacity: number) {}

  get(url: string): string | undefined {
    return this.byUrl.get(url);
  }

  /** Remembers `version` for `url`, or forgets the URL's when the read named none. */
  remember(url: string, version: string | undefined): void {
    this.byUrl.delete(url);
    if (version === undefined) return;
    this.byUrl.set(url, version);
    if (this.byUrl.size > this.capacity) this.byUrl.delete(this.byUrl.keys().next().value!);
  }

  forget(url: string): void {
    this.byUrl.delete(url);
  }
}
