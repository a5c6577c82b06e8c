/**
 * The EventBridge rule that ends a session's wait when its controller task stops
 * (infra/constructs/controller-stopped-rule.ts): the contract's pattern on this cluster, targeting the
 * controller-stopped function, with the target's retry policy of the template (8 retries within an hour).
 */
import { PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CONTROLLER_STOPPED_RULE_NAME, CONTROLLER_TASK_FAMILY, FUNCTION_NAMES, controllerStoppedPattern } from '#contract/index';
import { functionArn } from './shelcaster-function.ts';
import { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings } from './delivery-settings.ts';

/** Puts the rule and its target (both idempotent). */
export async function deployControllerStoppedRule(
  events: EventBridgeClient,
  clusterArn: string,
  region: string,
  account: string,
  delivery: DeliverySettings = DEFAULT_DELIVERY_SETTINGS,
): Promise<void> {
  await events.send(
    new PutRuleCommand({
      Name: CONTROLLER_STOPPED_RULE_NAME,
      EventPattern: JSON.stringify(controllerStoppedPattern(clusterArn, CONTROLLER_TASK_FAMILY)),
      State: 'ENABLED',
      Description: 'Ends the wait of a session whose program controller task stopped.',
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: CONTROLLER_STOPPED_RULE_NAME,
      Targets: [
        {
          Id: 'controller-stopped',
          Arn: functionArn(region, account, 'controllerStopped'),
          ...delivery.ruleTarget(CONTROLLER_STOPPED_RULE_NAME, FUNCTION_NAMES.controllerStopped),
        },
      ],
    }),
  );
}
