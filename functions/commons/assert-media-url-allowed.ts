/**
 * The API's check of a programUrl, for PLAY_MEDIA commands and for tracks alike: the contract's media URL
 * policy, and an `s3://` URL may name only the caller's own uploads (keys under `media/<caller's segment>/`,
 * where POST /media puts them).
 */
import { checkMediaUrl, mediaOwnerPrefix } from '#contract/index';
import { ValidationFailedError } from './errors.ts';

/**
 * Refuses (400, naming body.programUrl) a programUrl the policy does not allow or that names another user's
 * upload; answers the key of the caller's upload it names (none for an https URL).
 */
export function assertMediaUrlAllowed(programUrl: string, hostId: string, mediaBucket: string): { uploadKey?: string } {
  const decision = checkMediaUrl(programUrl, { mediaBucket });
  const reason = !decision.allowed
    ? decision.reason
    : decision.kind === 's3' && !decision.key.startsWith(mediaOwnerPrefix(hostId))
      ? 'an s3 programUrl must name one of your own uploads'
      : undefined;
  if (reason) throw new ValidationFailedError('The programUrl is not allowed.', [{ path: 'body.programUrl', message: reason }]);
  return decision.allowed && decision.kind === 's3' ? { uploadKey: decision.key } : {};
}
