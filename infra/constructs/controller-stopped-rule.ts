/**
 * The EventBridge rule that sends a stopped controller task (ECS Task State Change, STOPPED, our family, our
 * cluster) to shelcaster-controller-stopped, which fails the session's open callback at once.
 */
import { Duration } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { CONTROLLER_STOPPED_RULE_NAME, CONTROLLER_TASK_FAMILY, controllerStoppedPattern } from '#contract/index';

/** How long EventBridge keeps retrying delivery of a stop event. */
export const STOP_EVENT_MAX_AGE = Duration.hours(1);
export const STOP_EVENT_RETRY_ATTEMPTS = 8;

export interface ControllerStoppedRuleProps {
  clusterArn: string;
  target: IFunction;
}

export class ControllerStoppedRule extends Construct {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: ControllerStoppedRuleProps) {
    super(scope, id);
    const pattern = controllerStoppedPattern(props.clusterArn, CONTROLLER_TASK_FAMILY);
    this.rule = new Rule(this, 'Rule', {
      ruleName: CONTROLLER_STOPPED_RULE_NAME,
      description: 'Ends the wait of a session whose program controller task stopped.',
      eventPattern: { source: pattern.source, detailType: pattern['detail-type'], detail: pattern.detail },
      targets: [
        new LambdaFunction(props.target, { maxEventAge: STOP_EVENT_MAX_AGE, retryAttempts: STOP_EVENT_RETRY_ATTEMPTS }),
      ],
    });
  }
}
