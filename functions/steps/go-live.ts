/** Step GoLive: input `{sessionId, maxShowSeconds}`, output `{compositionArn, onAirTimeoutSeconds, endsAt}`. */
import { z } from 'zod';
import { goLive } from '../commons/actions/go-live.ts';
import { stepHandler } from '../commons/step-handler.ts';
import { parseStepInput, StepSessionId } from '../commons/step-input.ts';

const Input = z.object({ sessionId: StepSessionId, maxShowSeconds: z.number().int().min(1) });

const lambdaHandler = async (event: unknown) => {
  const { sessionId, maxShowSeconds } = parseStepInput(Input, event);
  return goLive(sessionId, maxShowSeconds);
};

export const handler = stepHandler(lambdaHandler);
