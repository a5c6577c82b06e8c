/**
 * The EventBridge rule that measures each new track's loudness (infra/constructs/track-created-rule.ts): the
 * contract's Track Created pattern on the default bus, targeting the measure-track function.
 */
import { PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { TRACK_CREATED_RULE_NAME, trackCreatedPattern } from '#contract/index';
import { functionArn } from './shelcaster-function.ts';

/** Puts the rule and its target (both idempotent). */
export async function deployTrackCreatedRule(events: EventBridgeClient, region: string, account: string): Promise<void> {
  await events.send(
    new PutRuleCommand({
      Name: TRACK_CREATED_RULE_NAME,
      EventPattern: JSON.stringify(trackCreatedPattern()),
      State: 'ENABLED',
      Description: 'Measures the loudness of each new track.',
    }),
  );
  await events.send(
    new PutTargetsCommand({ Rule: TRACK_CREATED_RULE_NAME, Targets: [{ Id: 'measure-track', Arn: functionArn(region, account, 'measureTrack') }] }),
  );
}
