/**
 * Just enough ISO BMFF to join fragmented-MP4 parts: the timescale of each track (init segment:
 * moov/trak/tkhd + mdia/mdhd), and rewriting a media segment's fragments (moof/mfhd sequence number,
 * moof/traf/tfdt decode time) so a later part continues the timeline of the earlier ones; and one segment index
 * (sidx) for the whole file. A fragmented MP4 declares no
 * duration in its moov: ffmpeg and Chromium take it from the sidx boxes they read (Chromium reads only the
 * first), so the episode carries one sidx over all its fragments and its segments' own sidx boxes are dropped.
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

/**
 * A copy of an init segment with the creation and modification times of its movie, tracks and media headers
 * (mvhd, tkhd, mdhd) set to zero: two encoder runs with the same configuration write inits that differ only
 * there, and their fragments can follow each other under either init.
 */
export function withoutCreationTimes(init: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(init);
  const view = viewOf(copy);
  const zeroTimes = (box: Box) => {
    const v1 = view.getUint8(box.contentStart) === 1;
    const width = v1 ? 8 : 4;
    if (box.contentStart + 4 + 2 * width > box.end) throw new Fmp4FormatError(`Box ${box.type} is truncated`);
    copy.fill(0, box.contentStart + 4, box.contentStart + 4 + 2 * width);
  };
  for (const top of boxesIn(copy, 0, copy.byteLength)) {
    if (top.type !== 'moov') continue;
    for (const box of boxesIn(copy, top.contentStart, top.end)) {
      if (box.type === 'mvhd') zeroTimes(box);
      if (box.type !== 'trak') continue;
      const tkhd = child(copy, box, 'tkhd');
      const mdia = child(copy, box, 'mdia');
      const mdhd = mdia && child(copy, mdia, 'mdhd');
      if (tkhd) zeroTimes(tkhd);
      if (mdhd) zeroTimes(mdhd);
    }
  }
  return copy;
}

/** A fragment's track run: its track id and where its decode time is written. */
interface TrackFragment {
  trackId: number;
  tfdt: Box;
}

function fragmentsOf(segment: Uint8Array): { mfhd: Box[]; tracks: TrackFragment[] } {
  const view = viewOf(segment);
  const mfhd: Box[] = [];
  const tracks: TrackFragment[] = [];
  for (const top of boxesIn(segment, 0, segment.byteLength)) {
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
  return { mfhd, tracks };
}

/** Moves a time field by a shift, refusing what a negative or a version 0 (32-bit) field cannot hold. */
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
  const { mfhd, tracks } = fragmentsOf(data);
  let sequence = nextSequenceNumber;
  for (const header of mfhd) view.setUint32(header.contentStart + 4, sequence++ >>> 0);
  for (const { trackId, tfdt } of tracks) moveTime(view, tfdt.contentStart, tfdt.contentStart + 4, shifts.get(trackId) ?? 0n);
  return { data, nextSequenceNumber: sequence };
}


/** What the first bytes of a media segment tell: the bytes of its own sidx boxes and the first one's timing. */
export interface SegmentPrefixInfo {
  sidxBytes: number;
  /** The first sidx's earliest presentation time and timescale, when the segment has one. */
  earliest?: { time: bigint; timescale: number };
}

/** Reads the top-level boxes that fit in a segment's first bytes (a box cut off by the prefix ends the scan). */
export function segmentPrefixInfo(prefix: Uint8Array): SegmentPrefixInfo {
  const view = viewOf(prefix);
  const info: SegmentPrefixInfo = { sidxBytes: 0 };
  let at = 0;
  while (at + 8 <= prefix.byteLength) {
    const size = view.getUint32(at);
    const type = String.fromCharCode(prefix[at + 4]!, prefix[at + 5]!, prefix[at + 6]!, prefix[at + 7]!);
    if (size < 8 || type === 'moof' || type === 'mdat') break;
    if (type === 'sidx') {
      if (at + 32 > prefix.byteLength) break;
      info.sidxBytes += size;
      if (!info.earliest) {
        const wide = view.getUint8(at + 8) === 1;
        info.earliest = { timescale: view.getUint32(at + 16), time: wide ? view.getBigUint64(at + 20) : BigInt(view.getUint32(at + 20)) };
      }
    }
    at += size;
  }
  return info;
}

/** A copy of a media segment without its top-level sidx boxes. */
export function withoutSegmentIndexes(segment: Uint8Array): Uint8Array {
  const kept = [...boxesIn(segment, 0, segment.byteLength)].filter((box) => box.type !== 'sidx').map((box) => segment.subarray(box.start, box.end));
  return new Uint8Array(Buffer.concat(kept));
}

/** The sidx (version 1) of a whole file: one reference per media segment that follows it, each starting with a SAP. */
export function segmentIndexBox(args: {
  referenceId: number;
  timescale: number;
  earliestPresentationTime: bigint;
  references: readonly { bytes: number; durationTicks: number }[];
}): Uint8Array {
  if (args.references.length > 0xffff) throw new Fmp4FormatError('Too many segments for one sidx');
  const size = 8 + 4 + 4 + 4 + 8 + 8 + 2 + 2 + 12 * args.references.length;
  const data = new Uint8Array(size);
  const view = viewOf(data);
  view.setUint32(0, size);
  data.set([0x73, 0x69, 0x64, 0x78], 4); // 'sidx'
  view.setUint32(8, 0x01000000); // version 1, flags 0
  view.setUint32(12, args.referenceId);
  view.setUint32(16, args.timescale);
  view.setBigUint64(20, args.earliestPresentationTime);
  view.setBigUint64(28, 0n); // first_offset: the first segment follows the sidx
  view.setUint16(36, 0); // reserved
  view.setUint16(38, args.references.length);
  args.references.forEach((reference, i) => {
    if (reference.bytes > 0x7fffffff) throw new Fmp4FormatError('A segment is too large for a sidx reference');
    const at = 40 + 12 * i;
    view.setUint32(at, reference.bytes); // reference_type 0 (media)
    view.setUint32(at + 4, reference.durationTicks);
    view.setUint32(at + 8, 0x90000000); // starts_with_SAP, SAP type 1
  });
  return data;
}
