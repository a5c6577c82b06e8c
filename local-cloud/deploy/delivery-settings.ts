/**
 * How the deployed stack says failed deliveries are retried, read from the synthesized template (what CDK
 * deploys): each rule target's `RetryPolicy` and `DeadLetterConfig` (the `retryAttempts`, `maxEventAge` and
 * `deadLetterQueue` of infra/'s LambdaFunction targets) and each function's `AWS::Lambda::EventInvokeConfig`
 * (`retryAttempts` / `maxEventAge` of a function's asynchronous invocations). The deployer puts the first on
 * the local rules' targets and registers the functions with the second, so the local EventBridge and Lambda
 * retry as the stack on AWS does, from the one place the settings are written (infra/constructs/).
 */
import type { AsyncInvokeConfig } from '#local-cloud/services/lambda/function-configuration';
import type { RuleTarget } from '#local-cloud/services/events/store';
import type { CfnTemplate } from '#local-cloud/iam/cfn-template';
import { TemplateResolver } from '#local-cloud/iam/template-resolver';
import { LOCAL_STACK_NAME } from '#local-cloud/iam/local-iam';

/** A rule target's delivery settings, as PutTargets takes them. */
export type TargetDeliverySettings = Pick<RuleTarget, 'RetryPolicy' | 'DeadLetterConfig'>;

export interface DeliverySettings {
  /** The settings of the target of `ruleName` that invokes `functionName` (none: EventBridge's defaults). */
  ruleTarget(ruleName: string, functionName: string): TargetDeliverySettings;
  /** A function's retry settings of asynchronous invocations (none: Lambda's defaults). */
  asyncInvokeConfig(functionName: string): Partial<AsyncInvokeConfig> | undefined;
}

/** No settings: every target and function gets the service's defaults. */
export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = { ruleTarget: () => ({}), asyncInvokeConfig: () => undefined };

interface CfnTarget {
  Arn?: unknown;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: unknown };
}

/** The delivery settings of a synthesized template, its references resolved to this account and region. */
export function deliverySettingsFromTemplate(template: CfnTemplate, account: string, region: string): DeliverySettings {
  const resolver = new TemplateResolver(template, { account, region, stackName: LOCAL_STACK_NAME });
  const functionNameOf = (arn: string) => arn.split(':function:')[1]?.split(':')[0];
  return {
    ruleTarget(ruleName, functionName) {
      const rule = resolver.idsOfType('AWS::Events::Rule').find((id) => resolver.nameOf(id) === ruleName);
      const targets = (rule ? (resolver.resource(rule).Properties?.Targets as CfnTarget[] | undefined) : undefined) ?? [];
      const target = targets.find((t) => functionNameOf(resolver.resolveString(t.Arn)) === functionName);
      if (!target) return {};
      return {
        ...(target.RetryPolicy ? { RetryPolicy: { ...target.RetryPolicy } } : {}),
        ...(target.DeadLetterConfig?.Arn !== undefined ? { DeadLetterConfig: { Arn: resolver.resolveString(target.DeadLetterConfig.Arn) } } : {}),
      };
    },
    asyncInvokeConfig(functionName) {
      for (const id of resolver.idsOfType('AWS::Lambda::EventInvokeConfig')) {
        const properties = resolver.resource(id).Properties ?? {};
        const name = resolver.resolveString(properties.FunctionName);
        if ((functionNameOf(name) ?? name) !== functionName) continue;
        const { MaximumRetryAttempts: retries, MaximumEventAgeInSeconds: age } = properties as { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
        return { ...(retries !== undefined ? { maximumRetryAttempts: retries } : {}), ...(age !== undefined ? { maximumEventAgeSeconds: age } : {}) };
      }
      return undefined;
    },
  };
}
