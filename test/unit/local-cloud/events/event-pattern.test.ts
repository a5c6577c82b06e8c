import { describe, expect, it } from 'vitest';
import {
  InvalidEventPatternError,
  matchesEventPattern,
  parseEventPattern,
} from '#local-cloud/services/events/event-pattern';

/** The EC2 state-change event of EventBridge's documentation on event patterns. */
const EC2_EVENT = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

function matches(pattern: object, event: object = EC2_EVENT): boolean {
  return matchesEventPattern(parseEventPattern(JSON.stringify(pattern)), event);
}

describe('Event pattern matching', () => {
  it('matches exact values, with an array of values as OR', () => {
    expect(matches({ source: ['aws.ec2'] })).toBe(true);
    expect(matches({ source: ['aws.s3', 'aws.ec2'] })).toBe(true);
    expect(matches({ source: ['aws.s3'] })).toBe(false);
    expect(matches({ source: ['AWS.EC2'] })).toBe(false);
  });

  it('requires every field of the pattern, nested objects included', () => {
    expect(matches({ source: ['aws.ec2'], detail: { state: ['terminated'] } })).toBe(true);
    expect(matches({ source: ['aws.ec2'], detail: { state: ['running'] } })).toBe(false);
    expect(matches({ detail: { missing: ['x'] } })).toBe(false);
  });

  it('matches an array in the event when any element matches', () => {
    const event = { ...EC2_EVENT, resources: ['arn:other', 'arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] };
    expect(matches({ resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] }, event)).toBe(true);
    expect(matches({ resources: ['arn:none'] }, event)).toBe(false);
  });

  it('matches nested patterns against arrays of objects element by element', () => {
    const event = { detail: { containers: [{ name: 'a', exitCode: 0 }, { name: 'b', exitCode: 1 }] } };
    expect(matches({ detail: { containers: { name: ['b'], exitCode: [1] } } }, event)).toBe(true);
    expect(matches({ detail: { containers: { name: ['a'], exitCode: [1] } } }, event)).toBe(false);
  });

  it('matches numbers numerically and null and empty strings exactly', () => {
    expect(matches({ detail: { count: [5] } }, { detail: { count: 5.0 } })).toBe(true);
    expect(matches({ detail: { count: ['5'] } }, { detail: { count: 5 } })).toBe(false);
    expect(matches({ detail: { responseElements: [null] } }, { detail: { responseElements: null } })).toBe(true);
    expect(matches({ detail: { responseElements: [null] } }, { detail: {} })).toBe(false);
    expect(matches({ detail: { eventVersion: [''] } }, { detail: { eventVersion: '' } })).toBe(true);
  });

  it('matches prefix and suffix, also ignoring case', () => {
    expect(matches({ time: [{ prefix: '2017-12-22' }] })).toBe(true);
    expect(matches({ time: [{ prefix: '2017-10-02' }] })).toBe(false);
    expect(matches({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' })).toBe(true);
    expect(matches({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.PNG' })).toBe(false);
    expect(matches({ FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] }, { FileName: 'image.PNG' })).toBe(true);
    expect(matches({ 'detail-type': [{ prefix: { 'equals-ignore-case': 'ec2 instance' } }] })).toBe(true);
  });

  it('matches anything-but a value, a list, a prefix, a suffix and a wildcard', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': 'terminated' }] } })).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } })).toBe(false);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, { detail: { 'x-limit': 124 } })).toBe(true);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, { detail: { 'x-limit': 123 } })).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': { prefix: 'term' } }] } })).toBe(false);
    expect(matches({ detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } }, { detail: { FileName: 'a.txt' } })).toBe(false);
    expect(matches({ detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, { detail: { FilePath: '/usr/lib/x' } })).toBe(false);
    expect(matches({ detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, { detail: { FilePath: '/usr/bin/x' } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['TERMINATED'] } }] } })).toBe(false);
  });

  it('does not match anything-but on a missing field', () => {
    expect(matches({ detail: { absent: [{ 'anything-but': 'x' }] } })).toBe(false);
  });

  it('matches numeric ranges', () => {
    const event = { detail: { 'c-count': 5, 'd-count': 7, 'x-limit': 301.8 } };
    const pattern = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    };
    expect(matches(pattern, event)).toBe(true);
    expect(matches({ detail: { 'c-count': [{ numeric: ['>', 5] }] } }, event)).toBe(false);
    expect(matches({ detail: { 'c-count': [{ numeric: ['>', 0] }] } }, { detail: { 'c-count': '5' } })).toBe(false);
  });

  it('matches exists true and false on leaf fields', () => {
    expect(matches({ detail: { state: [{ exists: true }] } })).toBe(true);
    expect(matches({ detail: { state: [{ exists: false }] } })).toBe(false);
    expect(matches({ detail: { color: [{ exists: false }] } })).toBe(true);
    expect(matches({ detail: { color: [{ exists: true }] } })).toBe(false);
    expect(matches({ detail: [{ exists: true }] })).toBe(false);
  });

  it('matches equals-ignore-case and wildcard', () => {
    expect(matches({ 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] })).toBe(true);
    const bus = { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders' };
    expect(matches({ EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] }, bus)).toBe(true);
    expect(matches({ EventBusArn: [{ wildcard: 'arn:aws:events:us-west-2:*:event-bus/*' }] }, bus)).toBe(false);
    expect(matches({ name: [{ wildcard: 'a\\*b' }] }, { name: 'a*b' })).toBe(true);
    expect(matches({ name: [{ wildcard: 'a\\*b' }] }, { name: 'axxb' })).toBe(false);
  });

  it('matches IPv4 CIDR ranges', () => {
    expect(matches({ detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, { detail: { sourceIPAddress: '10.0.0.255' } })).toBe(true);
    expect(matches({ detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, { detail: { sourceIPAddress: '10.0.1.1' } })).toBe(false);
  });

  it('matches $or alternatives', () => {
    const pattern = {
      source: ['aws.ec2'],
      $or: [{ detail: { state: ['running'] } }, { detail: { 'instance-id': [{ prefix: 'i-1234' }] } }],
    };
    expect(matches(pattern)).toBe(true);
    expect(matches({ ...pattern, source: ['aws.s3'] })).toBe(false);
    expect(matches({ $or: [{ detail: { state: ['running'] } }, { detail: { state: ['pending'] } }] })).toBe(false);
  });

  it('matches the controller-stopped rule only for STOPPED tasks of the controller family', () => {
    const pattern = {
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: { lastStatus: ['STOPPED'], group: ['family:shelcaster-program-controller'] },
    };
    const event = {
      source: 'aws.ecs',
      'detail-type': 'ECS Task State Change',
      detail: { lastStatus: 'STOPPED', group: 'family:shelcaster-program-controller', containers: [{ exitCode: 137 }] },
    };
    expect(matches(pattern, event)).toBe(true);
    expect(matches(pattern, { ...event, detail: { ...event.detail, lastStatus: 'RUNNING' } })).toBe(false);
  });
});

describe('Event pattern validation', () => {
  it.each([
    ['text that is not JSON', '{source: aws.ec2}'],
    ['a leaf that is not an array', '{"source": "aws.ec2"}'],
    ['an unknown operator', '{"source": [{"contains": "ec2"}]}'],
    ['two operators in one matcher', '{"source": [{"prefix": "a", "suffix": "b"}]}'],
    ['a numeric matcher with a bad operator', '{"n": [{"numeric": ["!=", 1]}]}'],
    ['exists with a non-boolean', '{"n": [{"exists": "yes"}]}'],
    ['$or with one alternative', '{"$or": [{"a": ["b"]}]}'],
    ['a pattern that is an array', '[{"source": ["aws.ec2"]}]'],
  ])('refuses %s', (_name, text) => {
    expect(() => parseEventPattern(text)).toThrow(InvalidEventPatternError);
  });
});
