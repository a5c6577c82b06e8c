/** GET /tracks: the caller's Program Manager tracks, oldest first; 200 `{tracks: [...]}`. */
import { trackView } from '../commons/actions/tracks.ts';
import { ok } from '../commons/http-responses.ts';
import { httpHandler, type JsonApiEvent } from '../commons/http-handler.ts';
import { callerIdOf } from '../commons/request.ts';
import { listHostTracks } from '../commons/tracks-repository.ts';

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const tracks = await listHostTracks(hostId);
  return ok({ tracks: tracks.map(trackView) });
};

export const handler = httpHandler(lambdaHandler);
