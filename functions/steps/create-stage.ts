/** Step CreateStage: input `{sessionId}`, output `{stageArn, queueUrl}`. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { z } from 'zod';
import { createStage } from '../commons/actions/create-stage.ts';
import { stepErrors } from '../commons/middleware/step-errors.ts';
import { logger, tracer } from '../commons/powertools.ts';
import { parseStepInput, StepSessionId } from '../commons/step-input.ts';

const Input = z.object({ sessionId: StepSessionId });

const lambdaHandler = async (event: unknown) => createStage(parseStepInput(Input, event).sessionId);

export const handler = middy(lambdaHandler)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(stepErrors());
