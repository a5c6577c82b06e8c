/**
 * shelcaster-warm-pool: refills the warm pool — on its schedule (EventBridge Scheduled Event), after a claim
 * or a pool controller's stop (`{reason}`, invoked asynchronously) — and, as the stack's custom resource,
 * fills it when the stack is created or updated and drains it (stops every pool controller) when the stack
 * is deleted.
 */
import { z } from 'zod';
import { drainWarmPool, refillWarmPool } from '../commons/actions/warm-pool.ts';
import { stepHandler } from '../commons/step-handler.ts';

/** A CloudFormation custom resource event, as the CDK provider framework passes it on. */
const CustomResourceEvent = z.object({ RequestType: z.enum(['Create', 'Update', 'Delete']), PhysicalResourceId: z.string().optional() });

/** The custom resource's physical id (one pool per stack). */
export const WARM_POOL_RESOURCE_ID = 'shelcaster-warm-pool';

const lambdaHandler = async (event: unknown) => {
  const resource = CustomResourceEvent.safeParse(event);
  if (!resource.success) return refillWarmPool();
  if (resource.data.RequestType === 'Delete') await drainWarmPool();
  else await refillWarmPool({ reopen: true });
  return { PhysicalResourceId: WARM_POOL_RESOURCE_ID };
};

export const handler = stepHandler(lambdaHandler);
