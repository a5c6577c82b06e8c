import { describe, expect, it } from 'vitest';
import { CfnTemplateView, resolveIntrinsics, UnresolvableError, type IntrinsicLeaves } from '#local-cloud/iam/cfn-template';

// The one walker of a template's intrinsics, with leaves that show what they were asked.
const leaves: IntrinsicLeaves = {
  ref: (name) => `ref(${name})`,
  getAtt: (id, attribute) => `att(${id},${attribute})`,
};
const resolve = (value: unknown) => resolveIntrinsics(value, leaves);

describe('resolveIntrinsics', () => {
  it('asks the leaves for Ref and Fn::GetAtt (list or dotted form), pseudo parameters included', () => {
    expect(resolve({ Ref: 'Queue' })).toBe('ref(Queue)');
    expect(resolve({ Ref: 'AWS::Region' })).toBe('ref(AWS::Region)');
    expect(resolve({ 'Fn::GetAtt': ['Role', 'Arn'] })).toBe('att(Role,Arn)');
    expect(resolve({ 'Fn::GetAtt': 'Queue.QueueUrl' })).toBe('att(Queue,QueueUrl)');
  });

  it('joins, selects, and substitutes with and without variables, leaving ${!Literal} as it is', () => {
    expect(resolve({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::', { Ref: 'Bucket' }, '/*']] })).toBe('arn:ref(AWS::Partition):s3:::ref(Bucket)/*');
    expect(resolve({ 'Fn::Select': [1, ['a', { Ref: 'B' }]] })).toBe('ref(B)');
    expect(resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:x:${Role.Arn}:${Name}' })).toBe('arn:ref(AWS::Partition):x:att(Role,Arn):ref(Name)');
    expect(resolve({ 'Fn::Sub': ['${Prefix}-${Table}-${!Literal}', { Prefix: { 'Fn::GetAtt': ['Api', 'Name'] } }] })).toBe('att(Api,Name)-ref(Table)-${!Literal}');
  });

  it('walks objects and lists, leaving what is no intrinsic as it is', () => {
    const value = { Statement: [{ Effect: 'Allow', Resource: [{ Ref: 'T' }, '*'], Count: 2, Flag: null }], Two: { Ref: 'a', Other: 1 } };
    expect(resolve(value)).toEqual({ Statement: [{ Effect: 'Allow', Resource: ['ref(T)', '*'], Count: 2, Flag: null }], Two: { Ref: 'a', Other: 1 } });
  });

  it('throws on an intrinsic it does not resolve', () => {
    expect(() => resolve({ Env: { 'Fn::If': ['Cond', 'a', 'b'] } })).toThrow(UnresolvableError);
    expect(() => resolve({ 'Fn::ImportValue': 'x' })).toThrow(/Fn::ImportValue is not one of the intrinsics resolved/);
  });
});

describe('CfnTemplateView', () => {
  const view = new CfnTemplateView({
    Resources: { A: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q' } }, B: { Type: 'AWS::SQS::Queue' }, C: { Type: 'AWS::IAM::Role' } },
  });

  it('finds resources by logical id and by type; an unknown id throws', () => {
    expect(view.resource('C').Type).toBe('AWS::IAM::Role');
    expect(view.idsOfType('AWS::SQS::Queue')).toEqual(['A', 'B']);
    expect(() => view.resource('Z')).toThrow(/The template has no resource Z/);
  });
});
