/** EventBridge target of shelcaster-controller-stopped (`ECS Task State Change`, STOPPED, our family). */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import { controllerStopped, type StoppedTaskDetail } from '../commons/actions/controller-stopped.ts';
import { stepErrors } from '../commons/middleware/step-errors.ts';
import { logger, tracer } from '../commons/powertools.ts';

const lambdaHandler = async (event: EventBridgeEvent<'ECS Task State Change', StoppedTaskDetail>) =>
  controllerStopped(event.detail ?? {});

export const handler = middy(lambdaHandler)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(stepErrors());
