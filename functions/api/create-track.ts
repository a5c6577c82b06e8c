/** POST /tracks: registers an uploaded file as one of the caller's tracks; 201 with the track. */
import { CreateTrackBody, ENV } from '#contract/index';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { createTrack, trackView } from '../commons/actions/tracks.ts';
import { created } from '../commons/http-responses.ts';
import { httpHandler, type JsonApiEvent } from '../commons/http-handler.ts';
import { callerIdOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

const mediaBucket = getStringFromEnv(ENV.mediaBucket);

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const body = parseRequestPart(CreateTrackBody, event.body, 'body');
  return created(trackView(await createTrack(hostId, body, mediaBucket)));
};

export const handler = httpHandler(lambdaHandler);
