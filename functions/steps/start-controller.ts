/** Steps StartController and ReplaceController: input `{sessionId}`, output `{taskArn}`. */
import { z } from 'zod';
import { startController } from '../commons/actions/start-controller.ts';
import { stepHandler } from '../commons/step-handler.ts';
import { parseStepInput, StepSessionId } from '../commons/step-input.ts';

const Input = z.object({ sessionId: StepSessionId });

const lambdaHandler = async (event: unknown) => startController(parseStepInput(Input, event).sessionId);

export const handler = stepHandler(lambdaHandler);
