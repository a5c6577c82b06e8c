/**
 * The EventBridge rule that measures each new track's loudness (infra/constructs/track-created-rule.ts): the
 * contract's Track Created pattern on the default bus, targeting the measure-track function with the target's
 * retry policy of the template.
 */
import { PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { FUNCTION_NAMES, TRACK_CREATED_RULE_NAME, trackCreatedPattern } from '#contract/index';
import { functionArn } from './shelcaster-function.ts';
import { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings } from './delivery-settings.ts';

/** Puts the rule and its target (both idempotent). */
export async function deployTrackCreatedRule(events: EventBridgeClient, region: string, account: string, delivery: DeliverySettings = DEFAULT_DELIVERY_SETTINGS): Promise<void> {
  await events.send(
    new PutRuleCommand({
      Name: TRACK_CREATED_RULE_NAME,
      EventPattern: JSON.stringify(trackCreatedPattern()),
      State: 'ENABLED',
      Description: 'Measures the loudness of each new track.',
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: TRACK_CREATED_RULE_NAME,
      Targets: [{ Id: 'measure-track', Arn: functionArn(region, account, 'measureTrack'), ...delivery.ruleTarget(TRACK_CREATED_RULE_NAME, FUNCTION_NAMES.measureTrack) }],
    }),
  );
}
