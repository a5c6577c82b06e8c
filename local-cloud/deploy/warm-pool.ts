/**
 * The warm pool (infra/constructs/warm-pool.ts): the schedule rule that refills it every minute, targeting
 * the pool's function, and the first fill — what the stack's custom resource does at its creation (a
 * `Create` request to the same function). The pool's size is the function's WARM_POOL_SIZE; the local cloud's
 * shutdown stops every controller, the pool's included (ECS's close).
 */
import { PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { FUNCTION_NAMES, WARM_POOL_REFILL_RULE_NAME, WARM_POOL_REFILL_SCHEDULE } from '#contract/index';
import { functionArn } from './shelcaster-function.ts';
import { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings } from './delivery-settings.ts';

/** What the custom resource sends the pool's function when the stack is created (and, here, at each start). */
export const WARM_POOL_CREATE_REQUEST = { RequestType: 'Create' } as const;

/** Puts the rule and its target (both idempotent), then asks for the first fill without waiting for it. */
export async function deployWarmPool(
  events: EventBridgeClient,
  region: string,
  account: string,
  fill: (request: typeof WARM_POOL_CREATE_REQUEST) => Promise<void>,
  delivery: DeliverySettings = DEFAULT_DELIVERY_SETTINGS,
): Promise<void> {
  await events.send(
    new PutRuleCommand({
      Name: WARM_POOL_REFILL_RULE_NAME,
      ScheduleExpression: WARM_POOL_REFILL_SCHEDULE,
      State: 'ENABLED',
      Description: 'Keeps the warm pool of program controllers at its size.',
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: WARM_POOL_REFILL_RULE_NAME,
      Targets: [{ Id: 'warm-pool', Arn: functionArn(region, account, 'warmPool'), ...delivery.ruleTarget(WARM_POOL_REFILL_RULE_NAME, FUNCTION_NAMES.warmPool) }],
    }),
  );
  await fill(WARM_POOL_CREATE_REQUEST);
}
