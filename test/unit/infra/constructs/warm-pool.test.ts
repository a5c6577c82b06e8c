import { beforeAll, describe, expect, it } from 'vitest';
import { WARM_POOL_REFILL_SCHEDULE, WARM_POOL_SIZE } from '#contract/index';
import { SYNTH_TIMEOUT_MS, synthesizeStack, type SynthesizedStack } from '../stack-fixture.ts';

let synth: SynthesizedStack;
let ruleId: string;
let rule: Record<string, unknown>;
let poolId: string;

beforeAll(() => {
  synth = synthesizeStack();
  const [id, resource] = synth.reader.named('AWS::Events::Rule', 'shelcaster-warm-pool-refill');
  ruleId = id;
  rule = resource.Properties ?? {};
  const pools = synth.reader.idsOfType('Custom::ShelcasterWarmPool');
  expect(pools).toHaveLength(1);
  poolId = pools[0] ?? '';
}, SYNTH_TIMEOUT_MS);

describe('WarmPool', () => {
  it('refills on the contract schedule, targeting shelcaster-warm-pool', () => {
    expect(rule.ScheduleExpression).toBe(WARM_POOL_REFILL_SCHEDULE);
    expect(rule.State).toBe('ENABLED');
    const targets = rule.Targets as { Arn: unknown }[];
    expect(targets.map((t) => synth.reader.render(t.Arn))).toEqual(['arn-of:AWS::Lambda::Function:shelcaster-warm-pool']);
  });

  it("fills and drains the pool through a custom resource whose provider calls shelcaster-warm-pool, with the deployment's size", () => {
    const pool = synth.reader.resource(poolId);
    expect(pool.Properties?.size).toBe(WARM_POOL_SIZE.aws);
    const onEventEnv = synth.reader
      .idsOfType('AWS::Lambda::Function')
      .map((id) => synth.reader.resource(id).Properties ?? {})
      .map((p) => (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.USER_ON_EVENT_FUNCTION_ARN)
      .filter((arn) => arn !== undefined)
      .map((arn) => synth.reader.render(arn));
    expect(onEventEnv).toContain('arn-of:AWS::Lambda::Function:shelcaster-warm-pool');
  });

  it('deletes the schedule before draining the pool (the rule depends on the custom resource)', () => {
    const dependsOn = synth.reader.resource(ruleId).DependsOn;
    expect(Array.isArray(dependsOn) ? dependsOn : [dependsOn]).toContain(poolId);
  });
});
