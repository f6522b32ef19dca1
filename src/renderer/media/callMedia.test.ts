import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallMedia, type CallMediaOptions } from './callMedia';
import { installFakeMedia } from './fakeMedia';

function options(video: boolean): CallMediaOptions {
  return {
    video,
    audioInputId: null,
    videoInputId: null,
    audioProcessing: true,
    signals: { publish: async () => ({ type: 'answer', sdp: '' }), subscribeAnswer: () => undefined, trickle: () => undefined },
    onRemoteStream: () => undefined,
    onFailure: () => undefined,
    onMicrophoneReplaced: () => undefined,
  };
}

const enabled = (stream: MediaStream) => ({
  audio: stream.getAudioTracks().map((track) => track.enabled),
  video: stream.getVideoTracks().map((track) => track.enabled),
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('CallMedia send state', () => {
  it('applies a mute chosen before the microphone opened to the tracks as they arrive', async () => {
    installFakeMedia();
    const media = new CallMedia(options(false));
    media.setSendState({ muted: true });
    expect(enabled(await media.capture())).toEqual({ audio: [false], video: [] });
    media.setSendState({ muted: false });
    expect(enabled(await media.capture())).toEqual({ audio: [true], video: [] });
    media.close();
  });

  it('applies hold and camera-off chosen before capture to audio and video', async () => {
    installFakeMedia();
    const held = new CallMedia(options(true));
    held.setSendState({ onHold: true });
    expect(enabled(await held.capture())).toEqual({ audio: [false], video: [false] });
    held.close();

    const cameraOff = new CallMedia(options(true));
    cameraOff.setSendState({ cameraOff: true });
    expect(enabled(await cameraOff.capture())).toEqual({ audio: [true], video: [false] });
    cameraOff.close();
  });

  it('sends live tracks when nothing was chosen', async () => {
    installFakeMedia();
    const media = new CallMedia(options(true));
    expect(enabled(await media.capture())).toEqual({ audio: [true], video: [true] });
    media.close();
  });
});
