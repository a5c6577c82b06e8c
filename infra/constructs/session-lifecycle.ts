/**
 * The session lifecycle state machine: the ASL file loaded with DefinitionBody.fromFile, each
 * `${...FunctionArn}` placeholder substituted with its function's ARN. Its role may invoke exactly those
 * functions and send callback messages to session queues. Logs every event without execution data (task
 * tokens travel in it) and traces with X-Ray.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ASL_FILE, FUNCTION_SUBSTITUTIONS, STATE_MACHINE_NAME, type FunctionRole, type SubstitutionKey } from '#contract/index';
import { LOG_RETENTION } from '../log-retention.ts';
import type { CommandQueues } from './command-queues.ts';
import type { ShelcasterFunction } from './shelcaster-function.ts';

/** The state machine's log group (the `/aws/vendedlogs/` prefix keeps the resource policy small). */
export const STATE_MACHINE_LOG_GROUP = `/aws/vendedlogs/states/${STATE_MACHINE_NAME}`;

export interface SessionLifecycleProps {
  functions: Readonly<Record<FunctionRole, ShelcasterFunction>>;
  queues: CommandQueues;
}

export class SessionLifecycle extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SessionLifecycleProps) {
    super(scope, id);
    const keys = Object.keys(FUNCTION_SUBSTITUTIONS) as SubstitutionKey[];
    const stepFunctions = keys.map((key) => props.functions[FUNCTION_SUBSTITUTIONS[key]]);
    const definitionSubstitutions = Object.fromEntries(keys.map((key, i) => [key, stepFunctions[i]!.functionArn]));

    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: STATE_MACHINE_LOG_GROUP,
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: STATE_MACHINE_NAME,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(ASL_FILE),
      definitionSubstitutions,
      logs: { destination: this.logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    const uniqueArns = [...new Set(stepFunctions)].map((fn) => fn.functionArn);
    this.stateMachine.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: uniqueArns }));
    props.queues.grantSendToSessionQueues(this.stateMachine);
  }
}
