import { describe, expect, it } from 'vitest';
import { applyResultPath, filterPath, isDefinitePath, parseReferencePath, readPath } from '#local-cloud/services/stepfunctions/paths';
import { resolvePayloadTemplate } from '#local-cloud/services/stepfunctions/payload-template';

const input = { a: { b: 1, list: [{ id: 'x' }, { id: 'y' }] }, 'odd key': true };
const context = { Execution: { Id: 'arn:exec' }, Task: { Token: 'tok' } };

describe('readPath', () => {
  it('reads a definite path from the input and a $$ path from the context object', () => {
    expect(readPath('$.a.b', { input, context })).toBe(1);
    expect(readPath("$['odd key']", { input, context })).toBe(true);
    expect(readPath('$$.Execution.Id', { input, context })).toBe('arn:exec');
    expect(readPath('$', { input: 5, context })).toBe(5);
  });

  it('returns an array for a path with a wildcard', () => {
    expect(readPath('$.a.list[*].id', { input, context })).toEqual(['x', 'y']);
    expect(isDefinitePath('$.a.list[*].id')).toBe(false);
    expect(isDefinitePath("$.a['b']")).toBe(true);
  });

  it('fails with States.Runtime when a definite path matches nothing', () => {
    expect(() => readPath('$.missing', { input, context })).toThrow(expect.objectContaining({ name: 'States.Runtime' }));
  });
});

describe('applyResultPath', () => {
  it('replaces the input at $ or when absent, and keeps the input for null', () => {
    expect(applyResultPath(input, 7, '$')).toBe(7);
    expect(applyResultPath(input, 7, undefined)).toBe(7);
    expect(applyResultPath(input, 7, null)).toBe(input);
  });

  it('creates missing objects along the path and leaves the original input unchanged', () => {
    const out = applyResultPath({ a: { b: 1 } }, { ok: true }, '$.x.y');
    expect(out).toEqual({ a: { b: 1 }, x: { y: { ok: true } } });
    expect(applyResultPath({ a: { b: 1 } }, 2, '$.a.b')).toEqual({ a: { b: 2 } });
  });

  it('fails with States.ResultPathMatchFailure on input that is not an object', () => {
    expect(() => applyResultPath('text', 1, '$.x')).toThrow(expect.objectContaining({ name: 'States.ResultPathMatchFailure' }));
    expect(() => applyResultPath({ a: 3 }, 1, '$.a.b')).toThrow(expect.objectContaining({ name: 'States.ResultPathMatchFailure' }));
  });

  it('parses dot and bracket steps', () => {
    expect(parseReferencePath("$.a['b c'][2]")).toEqual(['a', 'b c', 2]);
    expect(() => parseReferencePath('a.b')).toThrow();
  });
});

describe('filterPath', () => {
  it('keeps the value when absent, gives {} for null, and selects for a path', () => {
    expect(filterPath(undefined, input, 'InputPath')).toBe(input);
    expect(filterPath(null, input, 'InputPath')).toEqual({});
    expect(filterPath('$.a.b', input, 'OutputPath')).toBe(1);
  });
});

describe('resolvePayloadTemplate', () => {
  it('fills .$ keys from paths, the context object and intrinsic functions, in nested objects and arrays', () => {
    const template = {
      literal: 'keep',
      'fromInput.$': '$.a.b',
      'token.$': '$$.Task.Token',
      nested: [{ 'id.$': '$.a.list[0].id' }, 3],
      'greeting.$': "States.Format('n={}', $.a.b)",
    };
    expect(resolvePayloadTemplate(template, { input, context })).toEqual({
      literal: 'keep',
      fromInput: 1,
      token: 'tok',
      nested: [{ id: 'x' }, 3],
      greeting: 'n=1',
    });
  });

  it('fails with States.Runtime when a .$ path matches nothing', () => {
    expect(() => resolvePayloadTemplate({ 'x.$': '$.nope' }, { input, context })).toThrow(expect.objectContaining({ name: 'States.Runtime' }));
  });
});
