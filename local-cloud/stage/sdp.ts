/**
 * The little SDP handling the stage needs: sanity checks of publishers' and subscribers' offers, and the
 * answers' ICE candidates narrowed to loopback UDP host candidates.
 */

/** An offer the stage cannot take. The message says why and is safe to send back. */
export class InvalidOfferError extends Error {
  constructor(
    message: string,
    /** Why, as IVS's WHIP error codes say it (stage-errors.ts). */
    readonly reason: 'MALFORMED' | 'NO_MATCHING_CODEC' = 'MALFORMED',
  ) {
    super(message);
    this.name = 'InvalidOfferError';
  }
}

/** What a checked offer carries. */
export interface OfferSummary {
  audioSections: number;
  videoSections: number;
  /** Video codecs offered that the stage accepts (H264, VP8). */
  videoCodecs: string[];
}

const ACCEPTED_VIDEO_CODECS = ['H264', 'VP8'];

/**
 * Checks a publisher's offer: SDP with an Opus audio section that sends, video (if any) in a codec the stage
 * takes. `requireH264` is plain WHIP's rule on IVS: an offer without an H.264 video track is refused, even to
 * publish audio only. The web SDK's offers always carry a video section (sendrecv, several codecs).
 */
export function checkOffer(sdp: string, options: { requireH264?: boolean } = {}): OfferSummary {
  const sections = mediaSections(sdp);
  let audioSections = 0;
  let videoSections = 0;
  const videoCodecs = new Set<string>();
  for (const { kind, codecs, lines } of sections) {
    if (kind === 'audio') {
      if (!codecs.includes('OPUS')) throw new InvalidOfferError('The offer has an audio section without Opus', 'NO_MATCHING_CODEC');
      if (!lines.some((line) => line === 'a=sendonly' || line === 'a=sendrecv')) {
        throw new InvalidOfferError('The offer does not send its audio (WHIP publishes)');
      }
      audioSections++;
    } else if (kind === 'video') {
      const accepted = codecs.filter((codec) => ACCEPTED_VIDEO_CODECS.includes(codec));
      if (accepted.length === 0) throw new InvalidOfferError('The offer has a video section without H264 or VP8', 'NO_MATCHING_CODEC');
      for (const codec of accepted) videoCodecs.add(codec);
      videoSections++;
    }
  }
  if (audioSections === 0) throw new InvalidOfferError('The offer has no audio section');
  if (options.requireH264 && !videoCodecs.has('H264')) {
    throw new InvalidOfferError('The offer has no H.264 video track: IVS takes WHIP publications only with H.264 video, even for audio', 'NO_MATCHING_CODEC');
  }
  return { audioSections, videoSections, videoCodecs: [...videoCodecs] };
}

/** Checks a subscriber's offer: SDP with an Opus audio section that receives (video, if any, is answered as the publisher sends it). */
export function checkSubscribeOffer(sdp: string): void {
  const audio = mediaSections(sdp).filter((section) => section.kind === 'audio');
  if (audio.length === 0) throw new InvalidOfferError('The offer has no audio section');
  for (const { codecs, lines } of audio) {
    if (!codecs.includes('OPUS')) throw new InvalidOfferError('The offer has an audio section without Opus', 'NO_MATCHING_CODEC');
    if (!lines.some((line) => line === 'a=recvonly' || line === 'a=sendrecv')) throw new InvalidOfferError('The offer does not receive audio (a subscription receives)');
  }
}

/** The media sections of an SDP offer, after checking it is one with ICE credentials and a DTLS fingerprint. */
function mediaSections(sdp: string): { kind: string; codecs: string[]; lines: string[] }[] {
  const lines = sdp.split(/\r?\n/).filter((line) => line.length > 0);
  if (lines[0] !== 'v=0') throw new InvalidOfferError('The body is not an SDP offer (no v=0 line)');
  const sections = splitMediaSections(lines);
  if (sections.length === 0) throw new InvalidOfferError('The offer has no media section');
  if (!lines.some((line) => line.startsWith('a=fingerprint:'))) throw new InvalidOfferError('The offer has no DTLS fingerprint');
  if (!lines.some((line) => line.startsWith('a=ice-ufrag:'))) throw new InvalidOfferError('The offer has no ICE credentials');
  return sections.map((section) => ({
    kind: section[0]!.slice(2).split(' ')[0] ?? '',
    codecs: section.filter((line) => line.startsWith('a=rtpmap:')).map((line) => line.split(' ')[1]?.split('/')[0]?.toUpperCase() ?? ''),
    lines: section,
  }));
}

function splitMediaSections(lines: string[]): string[][] {
  const sections: string[][] = [];
  for (const line of lines) {
    if (line.startsWith('m=')) sections.push([line]);
    else sections.at(-1)?.push(line);
  }
  return sections;
}

/** Keeps only UDP host candidates on the given addresses (loopback) in an SDP; drops end-of-candidates lines. */
export function keepCandidatesOn(sdp: string, addresses: readonly string[]): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const kept = sdp.split(/\r?\n/).filter((line) => {
    if (!line.startsWith('a=candidate:')) return true;
    // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
    const fields = line.slice('a=candidate:'.length).split(' ');
    return fields[2]?.toLowerCase() === 'udp' && addresses.includes(fields[4] ?? '') && fields[7] === 'host';
  });
  return kept.join(eol);
}

/** Counts the candidate lines of an SDP. */
export function countCandidates(sdp: string): number {
  return sdp.split(/\r?\n/).filter((line) => line.startsWith('a=candidate:')).length;
}
