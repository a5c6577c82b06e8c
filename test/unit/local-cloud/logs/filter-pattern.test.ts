import { describe, expect, it } from 'vitest';
import { compileFilterPattern } from '#local-cloud/services/logs/filter-pattern';

describe('compileFilterPattern', () => {
  it('matches every event with an empty pattern', () => {
    expect(compileFilterPattern(undefined)('anything')).toBe(true);
    expect(compileFilterPattern('  ')('anything')).toBe(true);
  });

  it('requires every plain term, case-sensitively', () => {
    const match = compileFilterPattern('ERROR stage');
    expect(match('ERROR joining stage')).toBe(true);
    expect(match('ERROR joining')).toBe(false);
    expect(match('error joining stage')).toBe(false);
  });

  it('matches a quoted phrase as a whole, with escaped quotes', () => {
    const match = compileFilterPattern('"stage \\"main\\""');
    expect(match('joined stage "main" now')).toBe(true);
    expect(match('joined stage main now')).toBe(false);
  });

  it('needs one of the ?-terms and none of the --terms', () => {
    const match = compileFilterPattern('?WARN ?ERROR -heartbeat');
    expect(match('WARN slow')).toBe(true);
    expect(match('ERROR heartbeat lost')).toBe(false);
    expect(match('INFO ok')).toBe(false);
  });

  it('refuses JSON and space-delimited patterns instead of matching them wrongly', () => {
    expect(() => compileFilterPattern('{ $.level = "error" }')).toThrow(/term and phrase/);
    expect(() => compileFilterPattern('[ip, user]')).toThrow(/term and phrase/);
  });
});
