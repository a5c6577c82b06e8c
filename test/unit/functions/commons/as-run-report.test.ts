import '../support/env.ts';
import { describe, expect, it } from 'vitest';
import type { AsRunRecord } from '#contract/index';
import { asRunCsv, asRunEntries, asRunPlays } from '../../../../functions/commons/as-run-report.ts';

const T0 = Date.parse('2026-11-24T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const play = (s: number, programId: string, extra: Partial<AsRunRecord> = {}): AsRunRecord => ({
  at: at(s),
  event: 'PLAY',
  deck: 'program',
  programId,
  programUrl: `s3://b/media/h/u/${programId}.wav`,
  durationSeconds: 30,
  positionSeconds: 0,
  ...extra,
});

describe('as-run report', () => {
  it('orders entries and puts each on the show clock (seconds from the recording origin)', () => {
    const entries = asRunEntries([play(12.5, 'b'), play(2.25, 'a')], T0 - 1000);
    expect(entries.map((e) => [e.programId, e.showSeconds])).toEqual([['a', 3.25], ['b', 13.5]]);
  });

  it('gives each start a duration: to its stop, its replacement on its deck, its own end, or the end of the show', () => {
    const entries = asRunEntries(
      [
        play(0, 'a', { itemId: 'i1', title: 'Opening, "live"' }),
        play(4, 'bed', { deck: 'bed', durationSeconds: 100 }),
        { at: at(8), event: 'FADE', deck: 'program', programId: 'a', fadeSeconds: 2 },
        { at: at(8), event: 'STOP', deck: 'program', programId: 'a', fadeSeconds: 2 }, // crossfaded into b
        play(8, 'b', { cause: 'AUTO' }),
        play(20, 'b', { cause: 'RESUMED', positionSeconds: 12 }), // a replacement resumed b: not a new play
        play(30, 'c', { durationSeconds: 5 }), // ends by itself at 35
        play(40, 'jingle', { deck: 'clip', durationSeconds: 2 }),
        { at: at(50), event: 'STOP', deck: 'bed', programId: 'bed', fadeSeconds: 2 },
        play(60, 'd'),
      ],
      T0,
    );
    const plays = asRunPlays(entries, (e) => e.title ?? e.programId ?? '', at(70));
    expect(plays.map((p) => [p.title, p.file, p.start, p.duration, p.deck])).toEqual([
      ['Opening, "live"', 'a.wav', 0, 10, 'program'],
      ['bed', 'bed.wav', 4, 48, 'bed'],
      ['b', 'b.wav', 8, 22, 'program'],
      ['c', 'c.wav', 30, 5, 'program'],
      ['jingle', 'jingle.wav', 40, 2, 'clip'],
      ['d', 'd.wav', 60, 10, 'program'],
    ]);
    const csv = asRunCsv(plays.slice(0, 1));
    expect(csv).toBe(`title,file,start,duration,deck,startedAt\r\n"Opening, ""live""",a.wav,0.000,10.000,program,${at(0)}\r\n`);
  });

  it('keeps a title that a spreadsheet would run as a formula a plain text', () => {
    const csv = asRunCsv([{ title: '=HYPERLINK("x")', file: 'a.wav', start: 1, duration: 2, deck: 'program', startedAt: at(1) }]);
    expect(csv.split('\r\n')[1]).toBe(`"'=HYPERLINK(""x"")",a.wav,1.000,2.000,program,${at(1)}`);
  });
});

describe('chapters', () => {
  it('puts a chapter at each run-of-show item started, in the Podcasting 2.0 JSON chapters format', async () => {
    const { chaptersOf } = await import('../../../../functions/commons/as-run-report.ts');
    const { chaptersFormatProblems } = await import('#test/support/podcast-chapters-format');
    const entries = asRunEntries(
      [
        play(1, 'bed', { deck: 'bed' }), // not a run-of-show item: no chapter
        play(2, 'a', { itemId: 'i1', title: 'Opening', cause: 'NEXT' }),
        play(9.5, 'b', { itemId: 'i2', title: 'Interview', cause: 'AUTO' }),
        play(20, 'b', { itemId: 'i2', title: 'Interview', cause: 'RESUMED' }),
      ],
      T0,
    );
    const document = chaptersOf(entries, 'Morning show');
    expect(document).toEqual({ version: '1.2.0', title: 'Morning show', chapters: [{ startTime: 2, title: 'Opening' }, { startTime: 9.5, title: 'Interview' }] });
    expect(chaptersFormatProblems(document)).toEqual([]);
    expect(chaptersFormatProblems({ version: 1.2, chapters: [{ title: 'x' }] })).toHaveLength(2);
    expect(chaptersFormatProblems({ version: '1.2.0', chapters: [{ startTime: 5 }, { startTime: 1 }] })).toEqual([': chapters are not in ascending startTime']);
  });
});
