/** Step GoLive: input `{sessionId, maxShowSeconds}`, output `{compositionArn, onAirTimeoutSeconds}`. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { z } from 'zod';
import { goLive } from '../commons/actions/go-live.ts';
import { stepErrors } from '../commons/middleware/step-errors.ts';
import { logger, tracer } from '../commons/powertools.ts';
import { parseStepInput, StepSessionId } from '../commons/step-input.ts';

const Input = z.object({ sessionId: StepSessionId, maxShowSeconds: z.number().int().min(1) });

const lambdaHandler = async (event: unknown) => {
  const { sessionId, maxShowSeconds } = parseStepInput(Input, event);
  return goLive(sessionId, maxShowSeconds);
};

export const handler = middy(lambdaHandler)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(stepErrors());
