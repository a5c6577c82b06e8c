/**
 * The local cloud's IAM, assembled: the synthesized template's IAM (cached synthesis), the principals (the
 * operator, the local cloud's own key, and the temporary credentials of each role's sessions), and the
 * gateway's hook that answers AccessDenied when enforcement is on.
 */
import type { AwsRequest, AwsResponse } from '#local-cloud/gateway/provider';
import { accessDeniedMessage, accessDeniedResponse } from '#local-cloud/gateway/access-denied';
import type { ResolveContext } from './actions/types.ts';
import { RequestAuthorizer } from './authorizer.ts';
import { IamModel } from './iam-model.ts';
import { PrincipalRegistry } from './principals.ts';
import { RoleSessions } from './role-sessions.ts';
import type { CfnTemplate } from './cfn-template.ts';

/** The stack name the template's roles are named after (`<stack>-<logicalId>`). */
export const LOCAL_STACK_NAME = 'Shelcaster';

export interface LocalIamOptions {
  template: CfnTemplate;
  account: string;
  region: string;
  /** Evaluate every request (true), or only serve IAM's API and the principals (false). */
  enforce: boolean;
  now?: () => number;
  /** Told of every denial (principal, action, resource: no secret), for the local cloud's log. */
  onDenied?: (message: string) => void;
}

export class LocalIam {
  readonly principals: PrincipalRegistry;
  readonly sessions: RoleSessions;
  readonly enforce: boolean;
  private current: IamModel;
  private readonly resolvers: Partial<Pick<ResolveContext, 'stateMachineOfToken' | 'taskDefinition'>> = {};
  private readonly authorizer: RequestAuthorizer;

  constructor(private readonly options: LocalIamOptions) {
    this.principals = new PrincipalRegistry(options.account, options.now);
    this.sessions = new RoleSessions(this.principals, options.now);
    this.enforce = options.enforce;
    this.current = this.load();
    const resolve: ResolveContext = {
      account: options.account,
      region: options.region,
      stateMachineOfToken: (token) => this.resolvers.stateMachineOfToken?.(token),
      taskDefinition: (reference) => this.resolvers.taskDefinition?.(reference),
    };
    this.authorizer = new RequestAuthorizer({ model: () => this.current, principals: this.principals, resolve });
  }

  private load(physicalArns?: Record<string, string>): IamModel {
    const { template, account, region } = this.options;
    return new IamModel(template, { account, region, stackName: LOCAL_STACK_NAME, ...(physicalArns ? { physicalArns } : {}) });
  }

  /** The IAM in force. */
  get model(): IamModel {
    return this.current;
  }

  /** Reloads the template's IAM with the ARNs resources got when created (IVS configurations), by logical id. */
  setPhysicalArns(physicalArns: Record<string, string>): void {
    this.current = this.load(physicalArns);
  }

  /** How requests that name resources indirectly are resolved (task tokens, task definition families). */
  setResolvers(resolvers: Partial<Pick<ResolveContext, 'stateMachineOfToken' | 'taskDefinition'>>): void {
    Object.assign(this.resolvers, resolvers);
  }

  /** The gateway's `authorize` hook: AccessDenied in the service's shape, or undefined to go on. */
  authorize(request: AwsRequest, service: string, requestId: string): AwsResponse | undefined {
    if (!this.enforce) return undefined;
    const outcome = this.authorizer.authorize(request, service);
    if (outcome.allowed) return undefined;
    const message = accessDeniedMessage(outcome.principalArn, outcome.denied.action, outcome.denied.resource, outcome.explicit);
    this.options.onDenied?.(message);
    return accessDeniedResponse(request, service, message, requestId);
  }
}

/** The logical ids of the template's resources that get ARNs only when created, with the deployment's ARNs. */
export function deployedArns(template: CfnTemplate, deployed: { storageConfigurationArn: string; encoderConfigurationArn: string }): Record<string, string> {
  const arns: Record<string, string> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::IVS::StorageConfiguration') arns[id] = deployed.storageConfigurationArn;
    if (resource.Type === 'AWS::IVS::EncoderConfiguration') arns[id] = deployed.encoderConfigurationArn;
  }
  return arns;
}
