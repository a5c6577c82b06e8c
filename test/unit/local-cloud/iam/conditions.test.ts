import { describe, expect, it } from 'vitest';
import { checkOperator, conditionHolds } from '#local-cloud/iam/conditions';
import { UnsupportedPolicyError } from '#local-cloud/iam/policy-document';

describe('Function: conditionHolds', () => {
  it('fails a positive operator and passes a negated one when the key is missing, as IAM does', () => {
    expect(conditionHolds('StringEquals', 'events:source', ['shelcaster.tracks'], {})).toBe(false);
    expect(conditionHolds('StringNotEquals', 'events:source', ['shelcaster.tracks'], {})).toBe(true);
    expect(conditionHolds('StringEqualsIfExists', 'events:source', ['x'], {})).toBe(true);
  });

  it('matches StringLike and ArnLike wildcards', () => {
    expect(conditionHolds('StringLike', 'k', ['media/*'], { k: 'media/a/b' })).toBe(true);
    expect(conditionHolds('ArnLike', 'aws:SourceArn', ['arn:aws:states:*:000000000000:stateMachine:*'], { 'aws:SourceArn': 'arn:aws:states:us-east-1:000000000000:stateMachine:s' })).toBe(true);
    expect(conditionHolds('ArnLike', 'aws:SourceArn', ['arn:aws:states:*:111111111111:stateMachine:*'], { 'aws:SourceArn': 'arn:aws:states:us-east-1:000000000000:stateMachine:s' })).toBe(false);
  });

  it('compares Bool values case-insensitively and tests absence with Null', () => {
    expect(conditionHolds('Bool', 'aws:SecureTransport', ['false'], { 'aws:SecureTransport': 'FALSE' })).toBe(true);
    expect(conditionHolds('Null', 'aws:SecureTransport', ['true'], {})).toBe(true);
    expect(conditionHolds('Null', 'aws:SecureTransport', ['true'], { 'aws:SecureTransport': 'true' })).toBe(false);
  });

  it('evaluates ForAllValues and ForAnyValue over multi-valued keys', () => {
    expect(conditionHolds('ForAllValues:StringEquals', 'k', ['a', 'b'], { k: ['a', 'b'] })).toBe(true);
    expect(conditionHolds('ForAllValues:StringEquals', 'k', ['a'], { k: ['a', 'c'] })).toBe(false);
    expect(conditionHolds('ForAnyValue:StringEquals', 'k', ['c'], { k: ['a', 'c'] })).toBe(true);
  });

  it('refuses an operator it does not implement rather than guess', () => {
    expect(() => checkOperator('IpAddress')).toThrow(UnsupportedPolicyError);
    expect(() => checkOperator('ForAnyValue:StringLikeIfExists')).not.toThrow();
  });
});
