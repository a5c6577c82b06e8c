/** Steps StartController and ReplaceController: input `{sessionId}`, output `{taskArn}`. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { z } from 'zod';
import { startController } from '../commons/actions/start-controller.ts';
import { stepErrors } from '../commons/middleware/step-errors.ts';
import { logger, tracer } from '../commons/powertools.ts';
import { parseStepInput, StepSessionId } from '../commons/step-input.ts';

const Input = z.object({ sessionId: StepSessionId });

const lambdaHandler = async (event: unknown) => startController(parseStepInput(Input, event).sessionId);

export const handler = middy(lambdaHandler)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(stepErrors());
