// What an end-to-end encrypted call negotiates so that the media server learns less from the
// packets it relays: no audio-level RTP header extension (it carries the loudness of every audio
// frame in the clear, outside the encrypted payload), and Opus at a constant bitrate (with
// variable bitrate the size of each encrypted frame follows what is being said).

export const AUDIO_LEVEL_EXTENSION = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

interface HeaderExtensionChoice {
  uri: string;
  direction: RTCRtpTransceiverDirection;
}

/** Chromium's RTCRtpTransceiver header-extension control (not in TypeScript's DOM types yet). */
type NegotiatingTransceiver = RTCRtpTransceiver & {
  getHeaderExtensionsToNegotiate?(): HeaderExtensionChoice[];
  setHeaderExtensionsToNegotiate?(extensions: HeaderExtensionChoice[]): void;
};

/**
 * Stops the audio-level extension on a transceiver before the offer is made. Returns false where
 * the browser cannot do this; the offer's SDP must then lose it (`withoutAudioLevelExtension`).
 */
export function stopAudioLevelExtension(transceiver: RTCRtpTransceiver): boolean {
  const negotiating = transceiver as NegotiatingTransceiver;
  if (!negotiating.getHeaderExtensionsToNegotiate || !negotiating.setHeaderExtensionsToNegotiate) return false;
  const extensions = negotiating
    .getHeaderExtensionsToNegotiate()
    .map((extension) => (extension.uri === AUDIO_LEVEL_EXTENSION ? { ...extension, direction: 'stopped' as const } : extension));
  negotiating.setHeaderExtensionsToNegotiate(extensions);
  return true;
}

/** The SDP without any `a=extmap` line for the audio-level extension. */
export function withoutAudioLevelExtension(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !(line.startsWith('a=extmap:') && line.split(' ')[1] === AUDIO_LEVEL_EXTENSION))
    .join('\r\n');
}

/**
 * The SDP with `cbr=1` in every Opus payload type's format parameters (RFC 7587: the receiver
 * prefers a constant bitrate). Applied to the answer this side's sender reads its Opus settings
 * from, it makes this side's encoder produce frames of one size, whatever is said.
 */
export function withConstantBitrateOpus(sdp: string): string {
  const lines = sdp.split('\r\n');
  const opus = new Set(lines.flatMap((line) => /^a=rtpmap:(\d+) opus\/48000/i.exec(line)?.[1] ?? []));
  const withFmtp = new Set<string>();
  const result = lines.map((line) => {
    const [, payloadType = '', current = ''] = /^a=fmtp:(\d+) (.*)$/.exec(line) ?? [];
    if (!opus.has(payloadType)) return line;
    withFmtp.add(payloadType);
    const parameters = current.split(';').filter((parameter) => parameter.trim() !== '' && !/^\s*cbr=/.test(parameter));
    return `a=fmtp:${payloadType} ${[...parameters, 'cbr=1'].join(';')}`;
  });
  // An Opus payload type with no format parameters at all gets a line of its own after its rtpmap.
  return result
    .flatMap((line) => {
      const payloadType = /^a=rtpmap:(\d+) opus\/48000/i.exec(line)?.[1];
      return payloadType && !withFmtp.has(payloadType) ? [line, `a=fmtp:${payloadType} cbr=1`] : [line];
    })
    .join('\r\n');
}
