/** EventBridge target of shelcaster-track-created (`Track Created` from POST /tracks): measures the track's loudness. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import type { TrackCreatedDetail } from '#contract/index';
import { measureTrack } from '../commons/actions/measure-track.ts';
import { logger, tracer } from '../commons/powertools.ts';

const lambdaHandler = async (event: EventBridgeEvent<'Track Created', TrackCreatedDetail>) => measureTrack(event.detail);

export const handler = middy(lambdaHandler)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }));
