import { beforeAll, describe, expect, it } from 'vitest';
import { controllerStoppedPattern, trackCreatedPattern } from '#contract/index';
import { SYNTH_TIMEOUT_MS, synthesizeStack, type SynthesizedStack } from '../stack-fixture.ts';

let synth: SynthesizedStack;
let rule: Record<string, unknown>;

/** Every permission EventBridge has to invoke a function: [function, rule]. */
function eventBridgePermissions(): [unknown, unknown][] {
  return synth.reader
    .idsOfType('AWS::Lambda::Permission')
    .map((id) => synth.reader.resource(id).Properties ?? {})
    .filter((p) => p.Principal === 'events.amazonaws.com')
    .map((p) => [synth.reader.render(p.FunctionName), synth.reader.render(p.SourceArn)]);
}

beforeAll(() => {
  synth = synthesizeStack();
  rule = synth.reader.named('AWS::Events::Rule', 'shelcaster-controller-stopped')[1].Properties ?? {};
}, SYNTH_TIMEOUT_MS);

describe('ControllerStoppedRule', () => {
  it('matches exactly the contract pattern for the controller cluster and family', () => {
    expect(synth.reader.renderDeep(rule.EventPattern)).toEqual(
      controllerStoppedPattern('arn-of:AWS::ECS::Cluster:shelcaster-cluster', 'shelcaster-program-controller'),
    );
    expect(rule.State).toBe('ENABLED');
  });

  it('targets shelcaster-controller-stopped, which EventBridge may invoke', () => {
    const targets = rule.Targets as { Arn: unknown }[];
    expect(targets.map((t) => synth.reader.render(t.Arn))).toEqual(['arn-of:AWS::Lambda::Function:shelcaster-controller-stopped']);
    expect(eventBridgePermissions()).toContainEqual([
      'arn-of:AWS::Lambda::Function:shelcaster-controller-stopped',
      'arn-of:AWS::Events::Rule:shelcaster-controller-stopped',
    ]);
  });
});

describe('TrackCreatedRule', () => {
  it('sends the contract pattern (Track Created from shelcaster.tracks) to shelcaster-measure-track only', () => {
    const trackRule = synth.reader.named('AWS::Events::Rule', 'shelcaster-track-created')[1].Properties ?? {};
    expect(synth.reader.renderDeep(trackRule.EventPattern)).toEqual(trackCreatedPattern());
    const targets = trackRule.Targets as { Arn: unknown }[];
    expect(targets.map((t) => synth.reader.render(t.Arn))).toEqual(['arn-of:AWS::Lambda::Function:shelcaster-measure-track']);
    expect(eventBridgePermissions()).toEqual([
      ['arn-of:AWS::Lambda::Function:shelcaster-controller-stopped', 'arn-of:AWS::Events::Rule:shelcaster-controller-stopped'],
      ['arn-of:AWS::Lambda::Function:shelcaster-measure-track', 'arn-of:AWS::Events::Rule:shelcaster-track-created'],
      ['arn-of:AWS::Lambda::Function:shelcaster-warm-pool', 'arn-of:AWS::Events::Rule:shelcaster-warm-pool-refill'],
    ]);
  });
});
