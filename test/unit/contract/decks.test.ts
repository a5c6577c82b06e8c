import { describe, expect, it } from 'vitest';
import { CommandInput, MAX_NORMALIZATION_GAIN_DB, normalizationGainDb, TARGET_LOUDNESS_LUFS } from '#contract/index';

const PLAY = { type: 'PLAY_MEDIA', programId: 'p1', programUrl: 's3://b/media/k.mp3' } as const;
const issuePaths = (input: unknown) => {
  const parsed = CommandInput.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.'));
};

describe('Command schema: decks and fades', () => {
  it.each([
    { ...PLAY, deck: 'bed', fadeInSeconds: 2, crossfadeSeconds: 10 },
    { ...PLAY, deck: 'clip' },
    { type: 'PAUSE_MEDIA', deck: 'clip', fadeOutSeconds: 0 },
    { type: 'RESUME_MEDIA', deck: 'bed', fadeInSeconds: 1.5 },
    { type: 'STOP_MEDIA', deck: 'all', fadeOutSeconds: 2 },
    { type: 'SEEK_MEDIA', seconds: 1800, deck: 'bed' },
    { type: 'SET_VOLUME', volume: 0.3, deck: 'clip' },
    { type: 'SET_LOUDNESS_NORMALIZATION', enabled: false },
  ])('accepts %j', (input) => {
    expect(CommandInput.safeParse(input).success).toBe(true);
  });

  it.each([
    [{ ...PLAY, deck: 'drums' }, 'deck'],
    [{ ...PLAY, deck: 'all' }, 'deck'],
    [{ type: 'STOP_MEDIA', fadeOutSeconds: 11 }, 'fadeOutSeconds'],
    [{ type: 'PAUSE_MEDIA', fadeOutSeconds: -1 }, 'fadeOutSeconds'],
    [{ ...PLAY, crossfadeSeconds: 10.5 }, 'crossfadeSeconds'],
    [{ ...PLAY, fadeInSeconds: Number.POSITIVE_INFINITY }, 'fadeInSeconds'],
    [{ type: 'SEEK_MEDIA', seconds: 1, deck: 'clip' }, 'deck'],
    [{ type: 'SET_LOUDNESS_NORMALIZATION', enabled: 'yes' }, 'enabled'],
    [{ type: 'SET_VOLUME', volume: 0.5, deck: 'bed', fade: 1 }, ''],
  ])('refuses %j, naming %s', (input, path) => {
    expect(issuePaths(input)).toEqual([path]);
  });
});

describe('normalizationGainDb', () => {
  it('brings a track to the target, within the largest gain either way', () => {
    expect(normalizationGainDb(-9)).toBe(TARGET_LOUDNESS_LUFS + 9);
    expect(normalizationGainDb(-29.3)).toBeCloseTo(13.3, 5);
    expect(normalizationGainDb(-70)).toBe(MAX_NORMALIZATION_GAIN_DB);
    expect(normalizationGainDb(20)).toBe(-MAX_NORMALIZATION_GAIN_DB);
  });
});
