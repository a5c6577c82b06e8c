/**
 * A remote participant's WebRTC audio track as a WebAudio source. Chromium feeds WebAudio from a remote track
 * only while the track also plays in a media element, so the track's stream is kept playing in a muted
 * <audio> element (nothing is heard from it) beside the source node. Used by what a participant hears of the
 * stage (stage-audio.js) and by the controller page's ducker (controller/page/voice-ducker.js).
 *
 * @typedef {{ stream: MediaStream, element: HTMLAudioElement, source: MediaStreamAudioSourceNode }} RemoteTrackSource
 */

/**
 * The track's source node in `context`, with the muted element that keeps it fed. To let go of it, disconnect
 * the source and set the element's `srcObject` to null.
 * @param {AudioContext} context
 * @param {MediaStreamTrack} track
 * @returns {RemoteTrackSource}
 */
export function remoteTrackSource(context, track) {
  const stream = new MediaStream([track]);
  const element = new Audio();
  element.muted = true;
  element.srcObject = stream;
  void element.play().catch(() => undefined);
  return { stream, element, source: context.createMediaStreamSource(stream) };
}
