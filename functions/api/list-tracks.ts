/** GET /tracks: the caller's Program Manager tracks, oldest first, each with a URL to listen to it; 200 `{tracks: [...]}`. */
import { ENV } from '#contract/index';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { listenUrlOf, trackView } from '../commons/actions/tracks.ts';
import { ok } from '../commons/http-responses.ts';
import { httpHandler, type JsonApiEvent } from '../commons/http-handler.ts';
import { callerIdOf } from '../commons/request.ts';
import { listHostTracks } from '../commons/tracks-repository.ts';

const mediaBucket = getStringFromEnv(ENV.mediaBucket);

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const tracks = await listHostTracks(hostId);
  const views = await Promise.all(
    tracks.map(async (track) => {
      const listenUrl = await listenUrlOf(track, mediaBucket);
      return { ...trackView(track), ...(listenUrl ? { listenUrl } : {}) };
    }),
  );
  return ok({ tracks: views });
};

export const handler = httpHandler(lambdaHandler);
