import { describe, expect, it } from 'vitest';
import { evaluateIntrinsic, isIntrinsicCall } from '#local-cloud/services/stepfunctions/intrinsics';

const scope = { input: { name: 'Ada', n: 2, json: '{"k":[1,2]}', list: [1, 2, 2, 3], obj: { a: 1 } }, context: { Execution: { Name: 'e1' } } };
const run = (text: string) => evaluateIntrinsic(text, scope);

describe('intrinsic functions', () => {
  it('tells a call from a path', () => {
    expect(isIntrinsicCall('States.UUID()')).toBe(true);
    expect(isIntrinsicCall('$.States')).toBe(false);
  });

  it('States.Format fills placeholders with strings as they are and other values as JSON, honouring escapes', () => {
    expect(run("States.Format('Hello {}, n={} obj={}', $.name, $.n, $.obj)")).toBe('Hello Ada, n=2 obj={"a":1}');
    expect(run("States.Format('literal \\{\\} and {}', $$.Execution.Name)")).toBe('literal {} and e1');
    expect(run("States.Format('it\\'s {}', 'fine')")).toBe("it's fine");
    expect(() => run("States.Format('{} {}', $.name)")).toThrow(expect.objectContaining({ name: 'States.IntrinsicFailure' }));
  });

  it('converts between JSON and strings', () => {
    expect(run('States.StringToJson($.json)')).toEqual({ k: [1, 2] });
    expect(run('States.JsonToString($.obj)')).toBe('{"a":1}');
    expect(() => run("States.StringToJson('not json')")).toThrow(expect.objectContaining({ name: 'States.IntrinsicFailure' }));
  });

  it('builds and measures arrays, nesting calls', () => {
    expect(run("States.Array('a', 1, true, null, $.n)")).toEqual(['a', 1, true, null, 2]);
    expect(run('States.ArrayLength($.list)')).toBe(4);
    expect(run('States.ArrayLength(States.ArrayUnique($.list))')).toBe(3);
    expect(run('States.ArrayGetItem($.list, 3)')).toBe(3);
    expect(run('States.ArrayContains($.list, 2)')).toBe(true);
    expect(run('States.ArrayRange(1, 9, 4)')).toEqual([1, 5, 9]);
    expect(run('States.ArrayPartition($.list, 3)')).toEqual([[1, 2, 2], [3]]);
  });

  it('adds numbers and rejects non-numbers', () => {
    expect(run('States.MathAdd($.n, -5)')).toBe(-3);
    expect(() => run('States.MathAdd($.name, 1)')).toThrow(expect.objectContaining({ name: 'States.IntrinsicFailure' }));
  });

  it('makes a fresh UUID on every call', () => {
    const a = run('States.UUID()');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(run('States.UUID()')).not.toBe(a);
  });

  it('encodes, hashes, splits and merges', () => {
    expect(run("States.Base64Decode(States.Base64Encode('hi'))")).toBe('hi');
    expect(run("States.Hash('abc', 'SHA-256')")).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(run("States.StringSplit('a,b;c', ',;')")).toEqual(['a', 'b', 'c']);
    expect(run("States.JsonMerge($.obj, States.StringToJson('{\"b\":2}'), false)")).toEqual({ a: 1, b: 2 });
  });

  it('fails with States.IntrinsicFailure on an unknown function or bad syntax', () => {
    expect(() => run('States.Nope()')).toThrow(expect.objectContaining({ name: 'States.IntrinsicFailure' }));
    expect(() => run("States.Format('x'")).toThrow(expect.objectContaining({ name: 'States.IntrinsicFailure' }));
  });
});
