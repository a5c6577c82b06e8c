/** DELETE /tracks/{trackId}: removes one of the caller's tracks and its upload; 204, or 404 when the caller has none such. */
import { deleteTrack } from '../commons/actions/tracks.ts';
import { httpHandler, type JsonApiEvent } from '../commons/http-handler.ts';
import { ENV, TrackPathParams } from '#contract/index';
import { getStringFromEnv } from '#helpers/get-string-from-env';
import { callerIdOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

const mediaBucket = getStringFromEnv(ENV.mediaBucket);

const lambdaHandler = async (event: JsonApiEvent) => {
  const hostId = callerIdOf(event);
  const { trackId } = parseRequestPart(TrackPathParams, event.pathParameters, 'path');
  await deleteTrack(hostId, trackId, mediaBucket);
  return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
};

export const handler = httpHandler(lambdaHandler);
