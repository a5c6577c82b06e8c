/**
 * Just enough ISO BMFF to join fragmented-MP4 parts: the timescale of each track (init segment:
 * moov/trak/tkhd + mdia/mdhd), and rewriting a media segment's fragments (moof/mfhd sequence number,
 * moof/traf/tfdt decode time, and the segment index's sidx earliest presentation time, from which ffmpeg and
 * Chromium take a fragmented file's duration) so a later part continues the timeline of the earlier ones.
 */

/** A box that cannot be walked (truncated, or a size that does not fit). */
export class Fmp4FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Fmp4FormatError';
  }
}

interface Box {
  type: string;
  /** Offset of the box's first byte. */
  start: number;
  /** Offset of its content (after size, type and any 64-bit size). */
  contentStart: number;
  end: number;
}

function* boxesIn(data: Uint8Array, start: number, end: number): Generator<Box> {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let at = start;
  while (at + 8 <= end) {
    let size = view.getUint32(at);
    const type = String.fromCharCode(data[at + 4]!, data[at + 5]!, data[at + 6]!, data[at + 7]!);
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) throw new Fmp4FormatError(`Box ${type} is truncated`);
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) size = end - at;
    if (size < header || at + size > end) throw new Fmp4FormatError(`Box ${type} at ${at} does not fit`);
    yield { type, start: at, contentStart: at + header, end: at + size };
    at += size;
  }
}

const child = (data: Uint8Array, parent: Box, type: string): Box | undefined => {
  for (const box of boxesIn(data, parent.contentStart, parent.end)) if (box.type === type) return box;
  return undefined;
};

const viewOf = (data: Uint8Array) => new DataView(data.buffer, data.byteOffset, data.byteLength);

/** Each track's timescale (ticks per second), by track id, from an init segment. */
export function trackTimescales(init: Uint8Array): Map<number, number> {
  const view = viewOf(init);
  const timescales = new Map<number, number>();
  for (const top of boxesIn(init, 0, init.byteLength)) {
    if (top.type !== 'moov') continue;
    for (const trak of boxesIn(init, top.contentStart, top.end)) {
      if (trak.type !== 'trak') continue;
      const tkhd = child(init, trak, 'tkhd');
      const mdia = child(init, trak, 'mdia');
      const mdhd = mdia && child(init, mdia, 'mdhd');
      if (!tkhd || !mdhd) throw new Fmp4FormatError('A track has no tkhd or mdhd');
      const tkhdV1 = view.getUint8(tkhd.contentStart) === 1;
      const trackId = view.getUint32(tkhd.contentStart + 4 + (tkhdV1 ? 16 : 8));
      const mdhdV1 = view.getUint8(mdhd.contentStart) === 1;
      timescales.set(trackId, view.getUint32(mdhd.contentStart + 4 + (mdhdV1 ? 16 : 8)));
    }
  }
  if (timescales.size === 0) throw new Fmp4FormatError('The init segment has no tracks');
  return timescales;
}

/** A fragment's track run: its track id and where its decode time is written. */
interface TrackFragment {
  trackId: number;
  tfdt: Box;
}

function fragmentsOf(segment: Uint8Array): { mfhd: Box[]; tracks: TrackFragment[]; sidx: Box[] } {
  const view = viewOf(segment);
  const mfhd: Box[] = [];
  const tracks: TrackFragment[] = [];
  const sidx: Box[] = [];
  for (const top of boxesIn(segment, 0, segment.byteLength)) {
    if (top.type === 'sidx') sidx.push(top);
    if (top.type !== 'moof') continue;
    const header = child(segment, top, 'mfhd');
    if (header) mfhd.push(header);
    for (const traf of boxesIn(segment, top.contentStart, top.end)) {
      if (traf.type !== 'traf') continue;
      const tfhd = child(segment, traf, 'tfhd');
      const tfdt = child(segment, traf, 'tfdt');
      if (!tfhd || !tfdt) throw new Fmp4FormatError('A track fragment has no tfhd or tfdt');
      tracks.push({ trackId: view.getUint32(tfhd.contentStart + 4), tfdt });
    }
  }
  return { mfhd, tracks, sidx };
}

/** Moves a decode time by a shift, refusing what a negative or a version 0 (32-bit) field cannot hold. */
function moveTime(view: DataView, versionAt: number, valueAt: number, shift: bigint): void {
  const wide = view.getUint8(versionAt) === 1;
  const moved = (wide ? view.getBigUint64(valueAt) : BigInt(view.getUint32(valueAt))) + shift;
  if (moved < 0n) throw new Fmp4FormatError('A shifted time is negative');
  if (wide) view.setBigUint64(valueAt, moved);
  else if (moved <= 0xffffffffn) view.setUint32(valueAt, Number(moved));
  else throw new Fmp4FormatError('A shifted time does not fit a version 0 box');
}

const readTfdt = (view: DataView, tfdt: Box): bigint =>
  view.getUint8(tfdt.contentStart) === 1 ? view.getBigUint64(tfdt.contentStart + 4) : BigInt(view.getUint32(tfdt.contentStart + 4));

/** The decode time of each track's first fragment in a media segment, by track id. */
export function firstDecodeTimes(segment: Uint8Array): Map<number, bigint> {
  const view = viewOf(segment);
  const times = new Map<number, bigint>();
  for (const { trackId, tfdt } of fragmentsOf(segment).tracks) if (!times.has(trackId)) times.set(trackId, readTfdt(view, tfdt));
  return times;
}

/**
 * A copy of a media segment with each track's decode times moved by `shifts` (ticks, by track id) and the
 * fragments numbered from `nextSequenceNumber` on. Returns the copy and the next free sequence number.
 */
export function rewriteFragments(
  segment: Uint8Array,
  shifts: ReadonlyMap<number, bigint>,
  nextSequenceNumber: number,
): { data: Uint8Array; nextSequenceNumber: number } {
  const data = new Uint8Array(segment);
  const view = viewOf(data);
  const { mfhd, tracks, sidx } = fragmentsOf(data);
  let sequence = nextSequenceNumber;
  for (const header of mfhd) view.setUint32(header.contentStart + 4, sequence++ >>> 0);
  for (const { trackId, tfdt } of tracks) moveTime(view, tfdt.contentStart, tfdt.contentStart + 4, shifts.get(trackId) ?? 0n);
  // sidx: version/flags, reference_ID, timescale, earliest_presentation_time (32 or 64 bits).
  for (const index of sidx) moveTime(view, index.contentStart, index.contentStart + 12, shifts.get(view.getUint32(index.contentStart + 4)) ?? 0n);
  return { data, nextSequenceNumber: sequence };
}

/** The number of fragments (moof boxes) in a media segment. */
export const fragmentCount = (segment: Uint8Array): number => fragmentsOf(segment).mfhd.length;
