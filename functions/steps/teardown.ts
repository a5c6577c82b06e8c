/** Step Teardown: input the whole execution state, output `{status, reason}`. */
import { z } from 'zod';
import { teardown } from '../commons/actions/teardown.ts';
import { stepHandler } from '../commons/step-handler.ts';
import { parseStepInput, StepSessionId } from '../commons/step-input.ts';

const ErrorOutput = z.looseObject({ Error: z.string().optional(), Cause: z.string().optional() });

/** The parts of the state Teardown reads; everything else in the state is let through. */
const Input = z.looseObject({
  sessionId: StepSessionId,
  resources: z.looseObject({ stageArn: z.string().optional(), queueUrl: z.string().optional() }).optional(),
  controller: z.looseObject({ taskArn: z.string().optional() }).optional(),
  onAir: z.looseObject({ compositionArn: z.string().optional(), timeoutSeconds: z.number().optional(), endsAt: z.string().optional() }).optional(),
  ended: z.looseObject({ reason: z.string().optional() }).optional(),
  error: ErrorOutput.optional(),
  loss: ErrorOutput.optional(),
  recovery: z.looseObject({ replace: z.boolean().optional(), restarts: z.number().optional() }).optional(),
});

const lambdaHandler = async (event: unknown) => teardown(parseStepInput(Input, event));

export const handler = stepHandler(lambdaHandler);
