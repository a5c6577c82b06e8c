/** Fade timings the player keeps in step with the page's (controller/page/fade-curves.js). */
import type { MediaHandle } from '../media/media-proxy.ts';

/** The page's shortest ramp (MIN_RAMP_SECONDS): a stop or a replacement without a fade still takes this long. */
export const MIN_FADE_SECONDS = 0.015;

/** Extra time the page's element may still read after its fade, before its media is let go. */
const RELEASE_MARGIN_MS = 1000;

/** Lets a track's media go once the voice has faded out (the element reads until then). */
export function releaseAfterFade(media: MediaHandle, fadeOutSeconds: number): void {
  setTimeout(() => media.release(), Math.max(MIN_FADE_SECONDS, fadeOutSeconds) * 1000 + RELEASE_MARGIN_MS).unref();
}
