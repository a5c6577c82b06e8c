import { describe, expect, it } from 'vitest';
import { CommandInput, CreateSessionBody, DEFAULT_DUCKING, mergeDucking } from '#contract/index';

describe('ducking settings', () => {
  it('defaults to on, 12 dB, the bed only', () => {
    expect(DEFAULT_DUCKING).toEqual({ enabled: true, depthDb: 12, decks: ['bed'] });
  });

  it('a change replaces only the fields it names', () => {
    expect(mergeDucking(DEFAULT_DUCKING, { enabled: false })).toEqual({ enabled: false, depthDb: 12, decks: ['bed'] });
    expect(mergeDucking(DEFAULT_DUCKING, { depthDb: 18, decks: ['bed', 'program'] })).toEqual({ enabled: true, depthDb: 18, decks: ['bed', 'program'] });
  });

  it('SET_DUCKING accepts a switch, a depth or decks, and refuses bad input by its path', () => {
    expect(CommandInput.safeParse({ type: 'SET_DUCKING', enabled: false }).success).toBe(true);
    expect(CommandInput.safeParse({ type: 'SET_DUCKING', depthDb: 20, decks: ['program', 'bed'] }).success).toBe(true);
    const issues = (value: unknown) => CommandInput.safeParse(value).error?.issues.map((i) => i.path.join('.'));
    expect(issues({ type: 'SET_DUCKING' })).toEqual(['']);
    expect(issues({ type: 'SET_DUCKING', depthDb: 2 })).toEqual(['depthDb']);
    expect(issues({ type: 'SET_DUCKING', depthDb: 41 })).toEqual(['depthDb']);
    expect(issues({ type: 'SET_DUCKING', decks: ['clip'] })).toEqual(['decks.0']);
    expect(issues({ type: 'SET_DUCKING', decks: [] })).toEqual(['decks']);
    expect(issues({ type: 'SET_DUCKING', decks: ['bed', 'bed'] })).toEqual(['decks']);
    expect(issues({ type: 'SET_DUCKING', enabled: 'yes' })).toEqual(['enabled']);
  });

  it('POST /sessions takes the show\'s ducking', () => {
    expect(CreateSessionBody.parse({ title: 'Show', ducking: { depthDb: 15 } }).ducking).toEqual({ depthDb: 15 });
    expect(CreateSessionBody.safeParse({ title: 'Show', ducking: { depthDb: 15, attack: 1 } }).success).toBe(false);
  });
});
