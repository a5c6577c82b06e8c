import { describe, expect, it } from 'vitest';
import { DUCKING_TIMING, type DuckingSettings } from '#contract/index';
// The page's ducker, run as it is with a fake context and fake gains (no WebAudio here): what it asks of each
// deck's duck gain, and what it reports.
import { VoiceDucker, type DuckChange } from '#controller-page/voice-ducker';

function setup() {
  const context = { currentTime: 10, audioWorklet: { addModule: async () => undefined } };
  const ramps: string[] = [];
  const gain = (deck: string) => ({
    gain: {
      value: 1,
      cancelScheduledValues: () => undefined,
      setValueAtTime: () => undefined,
      setTargetAtTime: (target: number, at: number, timeConstant: number) => {
        ramps.push(`${deck} → ${target.toFixed(3)} at ${at} τ ${timeConstant.toFixed(4)}`);
      },
    },
  });
  const changes: DuckChange[] = [];
  const ducker = new VoiceDucker(context as never, { bed: gain('bed') as never, program: gain('program') as never }, (c) => changes.push(c));
  const configure = (settings: DuckingSettings) => ducker.configure(settings, DUCKING_TIMING);
  return { ducker, ramps, changes, configure };
}

const summary = (changes: DuckChange[]) => changes.map((c) => `${c.event} ${c.depthDb} ${c.decks.join('+')} ${c.cause}`);

describe('VoiceDucker', () => {
  it('lowers the ducked decks by the depth with the attack while someone speaks, and back with the release', () => {
    const { ducker, ramps, changes, configure } = setup();
    configure({ enabled: true, depthDb: 12, decks: ['bed'] });
    ducker.heard('caller', true);
    ducker.heard('host', true);
    ducker.heard('caller', false);
    ducker.heard('host', false);
    expect(summary(changes)).toEqual(['DUCK 12 bed VOICE', 'UNDUCK 12 bed VOICE']);
    // 10^(−12/20) = 0.251; time constants: 95 % of the way in the attack (0.1 s) and the release (0.6 s).
    expect(ramps).toEqual(['bed → 0.251 at 10 τ 0.0334', 'bed → 1.000 at 10 τ 0.2003']);
  });

  it('does nothing while off; switched on while someone speaks it ducks, switched off while ducked it comes back', () => {
    const { ducker, changes, configure } = setup();
    configure({ enabled: false, depthDb: 12, decks: ['bed'] });
    ducker.heard('caller', true);
    expect(changes).toEqual([]);
    configure({ enabled: true, depthDb: 12, decks: ['bed'] });
    configure({ enabled: false, depthDb: 12, decks: ['bed'] });
    expect(summary(changes)).toEqual(['DUCK 12 bed SET_DUCKING', 'UNDUCK 12 bed SET_DUCKING']);
  });

  it('a new depth or decks while ducked ends the duck and begins it again with them; while not ducked, the next duck takes them', () => {
    const { ducker, ramps, changes, configure } = setup();
    configure({ enabled: true, depthDb: 12, decks: ['bed'] });
    ducker.heard('caller', true);
    configure({ enabled: true, depthDb: 20, decks: ['bed', 'program'] });
    configure({ enabled: true, depthDb: 20, decks: ['bed', 'program'] });
    ducker.heard('caller', false);
    configure({ enabled: true, depthDb: 6, decks: ['program'] });
    ducker.heard('host', true);
    expect(summary(changes)).toEqual([
      'DUCK 12 bed VOICE',
      'UNDUCK 12 bed SET_DUCKING',
      'DUCK 20 bed+program SET_DUCKING',
      'UNDUCK 20 bed+program VOICE',
      'DUCK 6 program VOICE',
    ]);
    expect(ramps.at(-1)).toBe('program → 0.501 at 10 τ 0.0334');
  });
});
