/** Step ControllerLost: input `{sessionId, loss: {Error, Cause}}`, output `{replace, restarts}`. */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { z } from 'zod';
import { controllerLost } from '../commons/actions/controller-lost.ts';
import { stepErrors } from '../commons/middleware/step-errors.ts';
import { logger, tracer } from '../commons/powertools.ts';
import { parseStepInput, StepSessionId } from '../commons/step-input.ts';

const Input = z.object({
  sessionId: StepSessionId,
  loss: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

const lambdaHandler = async (event: unknown) => {
  const { sessionId, loss } = parseStepInput(Input, event);
  return controllerLost(sessionId, loss);
};

export const handler = middy(lambdaHandler)
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(stepErrors());
