/** POST /media: a presigned PUT for one track; 201 `{uploadUrl, uploadHeaders, programUrl, key, expiresAt}`. */
import { CreateMediaBody } from '#contract/index';
import { createMediaUpload } from '../commons/actions/create-media-upload.ts';
import { created } from '../commons/http-responses.ts';
import { httpHandler, type JsonApiEvent } from '../commons/http-handler.ts';
import { callerIdOf } from '../commons/request.ts';
import { parseRequestPart } from '../commons/validation.ts';

const lambdaHandler = async (event: JsonApiEvent) => {
  const userId = callerIdOf(event);
  const media = parseRequestPart(CreateMediaBody, event.body, 'body');
  return created(await createMediaUpload({ userId, media }));
};

export const handler = httpHandler(lambdaHandler);
