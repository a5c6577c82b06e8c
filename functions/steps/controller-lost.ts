/** Step ControllerLost: input `{sessionId, loss: {Error, Cause}}`, output `{replace, restarts}`. */
import { z } from 'zod';
import { controllerLost } from '../commons/actions/controller-lost.ts';
import { stepHandler } from '../commons/step-handler.ts';
import { parseStepInput, StepSessionId } from '../commons/step-input.ts';

const Input = z.object({
  sessionId: StepSessionId,
  loss: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

const lambdaHandler = async (event: unknown) => {
  const { sessionId, loss } = parseStepInput(Input, event);
  return controllerLost(sessionId, loss);
};

export const handler = stepHandler(lambdaHandler);
