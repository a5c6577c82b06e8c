import { describe, expect, it } from 'vitest';
import { MAX_SAFE_FILE_NAME_LENGTH, safeFileName } from '#helpers/safe-file-name';

describe('Helper: safeFileName', () => {
  it.each([
    ['keeps a plain name', 'intro.wav', 'intro.wav'],
    ['replaces spaces and punctuation', 'My Show (take 2).mp3', 'My_Show_take_2_.mp3'],
    ['drops accents', 'Café Olé.ogg', 'Cafe_Ole.ogg'],
    ['keeps only the base name of a path', '../../etc/passwd', 'passwd'],
    ['keeps only the base name of a Windows path', 'C:\\Users\\ana\\voice.m4a', 'voice.m4a'],
    ['drops leading dots', '..hidden.wav', 'hidden.wav'],
    ['names a file of dots', '..', 'media'],
    ['names a file of nothing usable', '???', 'media'],
  ])('%s', (_case, input, expected) => {
    expect(safeFileName(input)).toBe(expected);
  });

  it('shortens a long name and keeps its extension', () => {
    const name = safeFileName(`${'a'.repeat(300)}.wav`);

    expect(name).toHaveLength(MAX_SAFE_FILE_NAME_LENGTH);
    expect(name.endsWith('.wav')).toBe(true);
  });
});
