/** Step CreateStage: input `{sessionId}`, output `{stageArn, queueUrl}`. */
import { z } from 'zod';
import { createStage } from '../commons/actions/create-stage.ts';
import { stepHandler } from '../commons/step-handler.ts';
import { parseStepInput, StepSessionId } from '../commons/step-input.ts';

const Input = z.object({ sessionId: StepSessionId });

const lambdaHandler = async (event: unknown) => createStage(parseStepInput(Input, event).sessionId);

export const handler = stepHandler(lambdaHandler);
