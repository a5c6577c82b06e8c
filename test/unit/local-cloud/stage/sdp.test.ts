import { describe, expect, it } from 'vitest';
import { checkOffer, checkSubscribeOffer, InvalidOfferError, keepCandidatesOn } from '#local-cloud/stage/sdp';

const BASE = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=fingerprint:sha-256 AA', 'a=ice-ufrag:x'];

describe('checkOffer', () => {
  it('accepts Opus audio with H264 or VP8 video and says what it offers', () => {
    const sdp = [...BASE, 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=sendonly', 'a=rtpmap:111 opus/48000/2', 'm=video 9 UDP/TLS/RTP/SAVPF 96 102', 'a=rtpmap:96 VP8/90000', 'a=rtpmap:102 H264/90000', ''].join('\r\n');
    expect(checkOffer(sdp)).toEqual({ audioSections: 1, videoSections: 1, videoCodecs: ['VP8', 'H264'] });
  });

  it('accepts an audio-only offer', () => {
    expect(checkOffer([...BASE, 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=sendrecv', 'a=rtpmap:111 opus/48000/2'].join('\n')).audioSections).toBe(1);
  });

  it('refuses video without H264 or VP8, and offers without audio, ICE credentials or fingerprint', () => {
    const audio = ['m=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=sendonly', 'a=rtpmap:111 opus/48000/2'];
    expect(() => checkOffer([...BASE, ...audio, 'm=video 9 UDP/TLS/RTP/SAVPF 98', 'a=rtpmap:98 VP9/90000'].join('\n'))).toThrow(InvalidOfferError);
    expect(() => checkOffer([...BASE, 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=rtpmap:96 VP8/90000'].join('\n'))).toThrow(/no audio/);
    expect(() => checkOffer([...BASE.filter((l) => !l.startsWith('a=ice')), ...audio].join('\n'))).toThrow(/ICE/);
    expect(() => checkOffer([...BASE.filter((l) => !l.startsWith('a=fingerprint')), ...audio].join('\n'))).toThrow(/fingerprint/);
    expect(() => checkOffer('not sdp')).toThrow(/v=0/);
  });
});

describe('checkOffer for plain WHIP (requireH264)', () => {
  const audio = ['m=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=sendonly', 'a=rtpmap:111 opus/48000/2'];
  it('refuses an offer without H.264 video, even for audio only, and takes one with it', () => {
    expect(() => checkOffer([...BASE, ...audio].join('\n'), { requireH264: true })).toThrow(/H\.264/);
    expect(() => checkOffer([...BASE, ...audio, 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=rtpmap:96 VP8/90000'].join('\n'), { requireH264: true })).toThrow(
      expect.objectContaining({ reason: 'NO_MATCHING_CODEC' }),
    );
    expect(checkOffer([...BASE, ...audio, 'm=video 9 UDP/TLS/RTP/SAVPF 102', 'a=rtpmap:102 H264/90000'].join('\n'), { requireH264: true }).videoCodecs).toEqual(['H264']);
  });
});

describe('checkSubscribeOffer', () => {
  it('takes an offer that receives Opus audio, and refuses one that only sends', () => {
    expect(() => checkSubscribeOffer([...BASE, 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=recvonly', 'a=rtpmap:111 opus/48000/2'].join('\n'))).not.toThrow();
    expect(() => checkSubscribeOffer([...BASE, 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=sendonly', 'a=rtpmap:111 opus/48000/2'].join('\n'))).toThrow(/receive/);
    expect(() => checkSubscribeOffer([...BASE, 'm=video 9 UDP/TLS/RTP/SAVPF 96', 'a=recvonly', 'a=rtpmap:96 VP8/90000'].join('\n'))).toThrow(/no audio/);
  });
});

describe('keepCandidatesOn', () => {
  it('keeps only UDP host candidates on the given addresses', () => {
    const sdp = [
      'v=0',
      'a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host',
      'a=candidate:2 1 udp 2130706431 192.0.2.2 50001 typ host',
      'a=candidate:3 1 tcp 1518280447 127.0.0.1 9 typ host tcptype passive',
      'a=candidate:4 1 udp 1686052607 203.0.113.9 50002 typ srflx raddr 192.0.2.2 rport 50001',
      'a=end-of-candidates',
      '',
    ].join('\r\n');
    expect(keepCandidatesOn(sdp, ['127.0.0.1'])).toBe(['v=0', 'a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host', 'a=end-of-candidates', ''].join('\r\n'));
  });
});
