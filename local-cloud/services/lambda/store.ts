/**
 * The local Lambda service's state: the registered functions and their execution environments.
 * Functions are registered by the local deployer at every start, so nothing is persisted.
 */
import { AwsServiceError } from '#local-cloud/gateway/json-protocol';
import { DEFAULT_ASYNC_INVOKE_CONFIG, functionArn, parseFunctionReference, type FunctionConfiguration, type FunctionRegistration } from './function-configuration.ts';
import type { ExecutionEnvironment } from './execution-environment.ts';

export class LambdaStore {
  private readonly functions = new Map<string, FunctionConfiguration>();
  private readonly environments = new Map<string, ExecutionEnvironment[]>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** Adds or replaces a function; a replaced function's environments are returned for disposal. */
  put(registration: FunctionRegistration, now: Date): { configuration: FunctionConfiguration; retired: ExecutionEnvironment[] } {
    const configuration: FunctionConfiguration = {
      handlerName: 'handler',
      loggingFormat: 'Text',
      role: `arn:aws:iam::${this.accountId}:role/${registration.functionName}`,
      ...registration,
      environment: { ...registration.environment },
      asyncInvokeConfig: { ...DEFAULT_ASYNC_INVOKE_CONFIG, ...registration.asyncInvokeConfig },
      functionArn: functionArn(this.region, this.accountId, registration.functionName),
      lastModified: now,
    };
    this.functions.set(registration.functionName, configuration);
    const retired = this.environments.get(registration.functionName) ?? [];
    this.environments.set(registration.functionName, []);
    return { configuration, retired };
  }

  /** The function a name or ARN refers to; ResourceNotFoundException as Lambda answers. */
  get(reference: string): FunctionConfiguration {
    const { functionName, qualifier } = parseFunctionReference(reference);
    const configuration = this.functions.get(functionName);
    if (!configuration || (qualifier !== undefined && qualifier !== '$LATEST')) {
      const arn = functionArn(this.region, this.accountId, functionName) + (qualifier ? `:${qualifier}` : '');
      throw new AwsServiceError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
    }
    return configuration;
  }

  list(): FunctionConfiguration[] {
    return [...this.functions.values()].sort((a, b) => a.functionName.localeCompare(b.functionName));
  }

  /** The environments of a function (busy and idle); the pool is owned by the provider. */
  environmentsOf(functionName: string): ExecutionEnvironment[] {
    let pool = this.environments.get(functionName);
    if (!pool) {
      pool = [];
      this.environments.set(functionName, pool);
    }
    return pool;
  }

  allEnvironments(): ExecutionEnvironment[] {
    return [...this.environments.values()].flat();
  }
}
