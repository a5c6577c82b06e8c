/**
 * Chapter marks inside the episode: a Nero chapter list (`moov/udta/chpl`) added to the episode's init
 * segment, as ffmpeg's MP4 muxer writes it (and its demuxer, ffprobe's `-show_chapters`, and podcast players
 * read it). The episode is built without decoding or re-muxing (build-episode.ts), so the box is written here
 * rather than by ffmpeg: growing the moov moves nothing the fragments point at (their data offsets are
 * relative to their own moof, and the sidx's to itself).
 */
import type { Chapter } from '#contract/index';
import { Fmp4FormatError } from './fmp4-fragments.ts';

/** The chpl box counts its chapters in one byte. */
export const MAX_MP4_CHAPTERS = 255;
/** A chapter's title is at most this many bytes (one-byte length). */
export const MAX_MP4_CHAPTER_TITLE_BYTES = 255;
/** chpl times are in units of 100 ns. */
const CHPL_TICKS_PER_SECOND = 10_000_000;

const ascii = (type: string) => Uint8Array.from(type, (c) => c.charCodeAt(0));

/** A box of `type` around `content`. */
function box(type: string, ...content: Uint8Array[]): Uint8Array {
  const size = 8 + content.reduce((sum, part) => sum + part.byteLength, 0);
  const data = new Uint8Array(size);
  new DataView(data.buffer).setUint32(0, size);
  data.set(ascii(type), 4);
  let at = 8;
  for (const part of content) {
    data.set(part, at);
    at += part.byteLength;
  }
  return data;
}

/** A title cut to the byte limit without splitting a UTF-8 character. */
function titleBytes(title: string): Uint8Array {
  const bytes = new TextEncoder().encode(title);
  if (bytes.byteLength <= MAX_MP4_CHAPTER_TITLE_BYTES) return bytes;
  let end = MAX_MP4_CHAPTER_TITLE_BYTES;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // a continuation byte: back to the character's first byte
  return bytes.subarray(0, end);
}

/** The chpl box (version 1, as ffmpeg writes it) of the first 255 chapters, in ascending start. */
export function chapterListBox(chapters: readonly Chapter[]): Uint8Array {
  const kept = [...chapters].sort((a, b) => a.startTime - b.startTime).slice(0, MAX_MP4_CHAPTERS);
  const entries = kept.map((chapter) => {
    const title = titleBytes(chapter.title ?? '');
    const entry = new Uint8Array(9 + title.byteLength);
    const view = new DataView(entry.buffer);
    view.setBigUint64(0, BigInt(Math.round(Math.max(0, chapter.startTime) * CHPL_TICKS_PER_SECOND)));
    view.setUint8(8, title.byteLength);
    entry.set(title, 9);
    return entry;
  });
  const header = new Uint8Array(9);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0x01000000); // version 1, flags 0
  view.setUint32(4, 0); // reserved
  view.setUint8(8, kept.length);
  return box('chpl', header, ...entries);
}

interface TopBox {
  type: string;
  start: number;
  end: number;
}

/** The top-level boxes of `data`, or of the content between `from` and `to`. */
function boxesOf(data: Uint8Array, from = 0, to = data.byteLength): TopBox[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const boxes: TopBox[] = [];
  for (let at = from; at + 8 <= to; ) {
    const size = view.getUint32(at);
    const type = String.fromCharCode(...data.subarray(at + 4, at + 8));
    if (size < 8 || at + size > to) throw new Fmp4FormatError(`Box ${type} at ${at} does not fit (or has a 64-bit size)`);
    boxes.push({ type, start: at, end: at + size });
    at += size;
  }
  return boxes;
}

/**
 * A copy of an init segment with the chapters as a chpl box in moov/udta (a udta is added when there is none;
 * a chpl already there is replaced). The init unchanged when there are no chapters.
 */
export function withChapters(init: Uint8Array, chapters: readonly Chapter[]): Uint8Array {
  if (chapters.length === 0) return init;
  const chpl = chapterListBox(chapters);
  const parts = boxesOf(init).map((top) => {
    const bytes = init.subarray(top.start, top.end);
    if (top.type !== 'moov') return bytes;
    const children = boxesOf(init, top.start + 8, top.end);
    const udta = children.find((c) => c.type === 'udta');
    const kept = children.filter((c) => c.type !== 'udta').map((c) => init.subarray(c.start, c.end));
    const udtaChildren = udta ? boxesOf(init, udta.start + 8, udta.end).filter((c) => c.type !== 'chpl').map((c) => init.subarray(c.start, c.end)) : [];
    return box('moov', ...kept, box('udta', ...udtaChildren, chpl));
  });
  if (!boxesOf(init).some((top) => top.type === 'moov')) throw new Fmp4FormatError('The init segment has no moov');
  return new Uint8Array(Buffer.concat(parts));
}
