import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ASL_FILE, FUNCTION_SUBSTITUTIONS, substituteDefinition, type SubstitutionKey } from '#contract/index';
import { SYNTH_TIMEOUT_MS, synthesizeStack, type SynthesizedStack } from '../stack-fixture.ts';

/** Which function each Task state must invoke, written out independently of the contract's substitution map. */
const STATE_FUNCTIONS: Record<string, string> = {
  CreateStage: 'shelcaster-create-stage',
  StartController: 'shelcaster-start-controller',
  GoLive: 'shelcaster-go-live',
  ControllerLost: 'shelcaster-controller-lost',
  ReplaceController: 'shelcaster-start-controller',
  Teardown: 'shelcaster-teardown',
};

interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: { FunctionName?: string };
}

let synth: SynthesizedStack;
let stateMachineId: string;
let props: Record<string, unknown>;

beforeAll(() => {
  synth = synthesizeStack();
  const [id, resource] = synth.reader.named('AWS::StepFunctions::StateMachine', 'shelcaster-session-lifecycle');
  stateMachineId = id;
  props = resource.Properties ?? {};
}, SYNTH_TIMEOUT_MS);

/** The definition CloudFormation receives: the staged asset file named by DefinitionS3Location. */
function stagedDefinition(): string {
  const location = props.DefinitionS3Location as { Key: string };
  return readFileSync(join(synth.assemblyDir, `asset.${location.Key}`), 'utf8');
}

/** The substitutions with each value rendered to the ARN of the function it names. */
function renderedSubstitutions(): Record<SubstitutionKey, string> {
  const raw = props.DefinitionSubstitutions as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(raw).map(([key, value]) => [key, synth.reader.render(value).replace('arn-of:AWS::Lambda::Function:', 'arn:aws:lambda:REGION:ACCOUNT:function:')]),
  ) as Record<SubstitutionKey, string>;
}

describe('SessionLifecycle', () => {
  it('is a Standard state machine named shelcaster-session-lifecycle', () => {
    expect(props.StateMachineType).toBe('STANDARD');
    expect(props.StateMachineName).toBe('shelcaster-session-lifecycle');
  });

  it('loads the ASL file unchanged as its definition (DefinitionBody.fromFile)', () => {
    expect(props.DefinitionString).toBeUndefined();
    expect(stagedDefinition()).toBe(readFileSync(ASL_FILE, 'utf8'));
  });

  it('substitutes every placeholder of the ASL file and nothing else', () => {
    const placeholders = [...readFileSync(ASL_FILE, 'utf8').matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]);
    expect(Object.keys(props.DefinitionSubstitutions as object).sort()).toEqual([...new Set(placeholders)].sort());
    expect(Object.keys(props.DefinitionSubstitutions as object).sort()).toEqual(Object.keys(FUNCTION_SUBSTITUTIONS).sort());
  });

  it('makes every Lambda task state invoke the right function after substitution', () => {
    const definition = JSON.parse(substituteDefinition(stagedDefinition(), renderedSubstitutions())) as {
      States: Record<string, AslState>;
    };
    const invoked = Object.fromEntries(
      Object.entries(definition.States)
        .filter(([, s]) => s.Resource === 'arn:aws:states:::lambda:invoke')
        .map(([name, s]) => [name, s.Parameters?.FunctionName]),
    );
    expect(invoked).toEqual(
      Object.fromEntries(
        Object.entries(STATE_FUNCTIONS).map(([state, fn]) => [state, `arn:aws:lambda:REGION:ACCOUNT:function:${fn}`]),
      ),
    );
  });

  it('may invoke exactly the functions of its definition', () => {
    const grants = synth.reader.grantsOf(synth.reader.roleOf(stateMachineId, 'RoleArn'));
    const invokes = grants.filter((g) => g.action === 'lambda:InvokeFunction');
    expect(invokes.every((g) => g.effect === 'Allow')).toBe(true);
    expect(invokes.map((g) => g.resource).sort()).toEqual(
      [...new Set(Object.values(STATE_FUNCTIONS))].map((fn) => `arn-of:AWS::Lambda::Function:${fn}`).sort(),
    );
  });

  it('may send callback messages to the session queues only', () => {
    const grants = synth.reader.grantsOf(synth.reader.roleOf(stateMachineId, 'RoleArn'));
    expect(grants.filter((g) => g.action.startsWith('sqs:'))).toEqual([
      { effect: 'Allow', action: 'sqs:SendMessage', resource: 'arn:aws:sqs:REGION:ACCOUNT:shelcaster-program-commands-*' },
    ]);
  });

  it('logs every event to its vended log group without execution data, and traces', () => {
    expect(props.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    const destinations = (props.LoggingConfiguration as { Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: unknown } }[] })
      .Destinations;
    expect(destinations.map((d) => synth.reader.render(d.CloudWatchLogsLogGroup.LogGroupArn))).toEqual([
      'arn-of:AWS::Logs::LogGroup:/aws/vendedlogs/states/shelcaster-session-lifecycle',
    ]);
    const [, logGroup] = synth.reader.named('AWS::Logs::LogGroup', '/aws/vendedlogs/states/shelcaster-session-lifecycle');
    expect(logGroup.Properties?.RetentionInDays).toBe(30);
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
  });

  it('outputs its ARN', () => {
    expect(synth.template.Outputs?.StateMachineArn?.Value).toEqual({ Ref: stateMachineId });
  });
});
