/**
 * The EventBridge rule that ends a session's wait when its controller task stops
 * (infra/constructs/controller-stopped-rule.ts): the contract's pattern on this cluster, targeting the
 * controller-stopped function.
 */
import { PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CONTROLLER_STOPPED_RULE_NAME, CONTROLLER_TASK_FAMILY, controllerStoppedPattern } from '#contract/index';
import { functionArn } from './shelcaster-function.ts';

/** Puts the rule and its target (both idempotent). */
export async function deployControllerStoppedRule(events: EventBridgeClient, clusterArn: string, region: string, account: string): Promise<void> {
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
      Targets: [{ Id: 'controller-stopped', Arn: functionArn(region, account, 'controllerStopped') }],
    }),
  );
}
