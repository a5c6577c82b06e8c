/**
 * The EventBridge rule that sends each new track (`Track Created`, put by POST /tracks) to
 * shelcaster-measure-track, which measures its loudness once and keeps it on the track.
 */
import { Duration } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { TRACK_CREATED_RULE_NAME, trackCreatedPattern } from '#contract/index';

export interface TrackCreatedRuleProps {
  target: IFunction;
}

export class TrackCreatedRule extends Construct {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: TrackCreatedRuleProps) {
    super(scope, id);
    const pattern = trackCreatedPattern();
    this.rule = new Rule(this, 'Rule', {
      ruleName: TRACK_CREATED_RULE_NAME,
      description: 'Measures the loudness of each new track.',
      eventPattern: { source: pattern.source, detailType: pattern['detail-type'] },
      targets: [new LambdaFunction(props.target, { maxEventAge: Duration.hours(6), retryAttempts: 4 })],
    });
  }
}
