import { describe, expect, it } from 'vitest';
import { AUDIO_LEVEL_EXTENSION, stopAudioLevelExtension, withConstantBitrateOpus, withoutAudioLevelExtension } from './e2eeNegotiation';

const sdp = (...lines: string[]) => [...lines, ''].join('\r\n');

describe('withConstantBitrateOpus', () => {
  it('adds cbr=1 to the Opus format parameters and leaves other codecs alone', () => {
    const answer = sdp(
      'm=audio 9 UDP/TLS/RTP/SAVPF 111 9',
      'a=rtpmap:111 opus/48000/2',
      'a=fmtp:111 minptime=10;useinbandfec=1',
      'a=rtpmap:9 G722/8000',
      'a=fmtp:9 x=1',
    );
    expect(withConstantBitrateOpus(answer)).toBe(
      sdp(
        'm=audio 9 UDP/TLS/RTP/SAVPF 111 9',
        'a=rtpmap:111 opus/48000/2',
        'a=fmtp:111 minptime=10;useinbandfec=1;cbr=1',
        'a=rtpmap:9 G722/8000',
        'a=fmtp:9 x=1',
      ),
    );
  });

  it('replaces a cbr=0 the answer carried', () => {
    expect(withConstantBitrateOpus(sdp('a=rtpmap:111 opus/48000/2', 'a=fmtp:111 cbr=0;useinbandfec=1'))).toBe(
      sdp('a=rtpmap:111 opus/48000/2', 'a=fmtp:111 useinbandfec=1;cbr=1'),
    );
  });

  it('gives an Opus payload type without format parameters a line of its own', () => {
    expect(withConstantBitrateOpus(sdp('a=rtpmap:111 OPUS/48000/2', 'a=rtcp-fb:111 transport-cc'))).toBe(
      sdp('a=rtpmap:111 OPUS/48000/2', 'a=fmtp:111 cbr=1', 'a=rtcp-fb:111 transport-cc'),
    );
  });

  it('leaves an SDP without Opus as it was', () => {
    const video = sdp('m=video 9 UDP/TLS/RTP/SAVPF 96', 'a=rtpmap:96 VP8/90000', 'a=fmtp:96 max-fr=30');
    expect(withConstantBitrateOpus(video)).toBe(video);
  });
});

describe('withoutAudioLevelExtension', () => {
  it('drops the audio-level extmap line and keeps the others', () => {
    const offer = sdp(
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      `a=extmap:1 ${AUDIO_LEVEL_EXTENSION}`,
      'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
      `a=extmap:5/sendonly ${AUDIO_LEVEL_EXTENSION}`,
    );
    expect(withoutAudioLevelExtension(offer)).toBe(sdp('m=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid'));
  });
});

describe('stopAudioLevelExtension', () => {
  it('stops only the audio-level extension where the browser can negotiate extensions', () => {
    let chosen: { uri: string; direction: string }[] = [];
    const transceiver = {
      getHeaderExtensionsToNegotiate: () => [
        { uri: AUDIO_LEVEL_EXTENSION, direction: 'sendrecv' },
        { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', direction: 'sendrecv' },
      ],
      setHeaderExtensionsToNegotiate: (extensions: { uri: string; direction: string }[]) => {
        chosen = extensions;
      },
    } as unknown as RTCRtpTransceiver;
    expect(stopAudioLevelExtension(transceiver)).toBe(true);
    expect(chosen).toEqual([
      { uri: AUDIO_LEVEL_EXTENSION, direction: 'stopped' },
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', direction: 'sendrecv' },
    ]);
  });

  it('says so where the browser cannot', () => {
    expect(stopAudioLevelExtension({} as RTCRtpTransceiver)).toBe(false);
  });
});
