import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallMedia, type CallMediaOptions } from './callMedia';
import { FakePeerConnection, FakeTrack, installFakeMedia, type FakeStream } from './fakeMedia';

function options(video: boolean): CallMediaOptions {
  return {
    video,
    audioInputId: null,
    videoInputId: null,
    audioProcessing: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    signals: { publish: async () => ({ type: 'answer', sdp: '' }), subscribeAnswer: () => undefined, trickle: () => undefined },
    onRemoteStream: () => undefined,
    onFailure: () => undefined,
    onMicrophoneReplaced: () => undefined,
    onScreenShareEnded: () => undefined,
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

/** What each of the publisher's senders sends now, by kind ('none' while it sends nothing). */
function sending(stream: FakeStream): string[] {
  const publisher = FakePeerConnection.created[0]!;
  const name = (track: FakeTrack | null) => (track === null ? 'none' : stream.getTracks().includes(track) ? `live ${track.kind}` : `stale ${track.kind}`);
  return publisher.senders.map((sender) => name(sender.track));
}

describe('CallMedia screen sharing', () => {
  const screenTrack = () => new FakeTrack('video') as FakeTrack & { contentHint?: string };

  it('sends the shared screen on the video sender in place of the camera, and the camera again when the share stops', async () => {
    installFakeMedia();
    const media = new CallMedia(options(true));
    const stream = (await media.publish()) as unknown as FakeStream;
    const publisher = FakePeerConnection.created[0]!;
    const screen = screenTrack();
    await media.shareScreen(screen as unknown as MediaStreamTrack);
    expect(publisher.senders.map((sender) => sender.track)).toEqual([stream.getAudioTracks()[0], screen]);
    expect(screen.contentHint).toBe('detail');
    // No second sender: the same (encrypting) sender carries the share.
    expect(publisher.senders).toHaveLength(2);

    await media.stopScreenShare();
    expect(sending(stream)).toEqual(['live audio', 'live video']);
    expect(screen.stop).toHaveBeenCalled();
    media.close();
  });

  it('sends the share even with the camera off, and nothing of it while the call is on hold', async () => {
    installFakeMedia();
    const media = new CallMedia(options(true));
    await media.publish();
    const video = FakePeerConnection.created[0]!.senders[1]!;
    media.setSendState({ cameraOff: true });
    const screen = screenTrack();
    await media.shareScreen(screen as unknown as MediaStreamTrack);
    expect(video.track).toBe(screen);
    expect(screen.enabled).toBe(true);
    media.setSendState({ onHold: true });
    await vi.waitFor(() => expect(video.track).toBeNull());
    media.setSendState({ onHold: false });
    await vi.waitFor(() => expect(video.track).toBe(screen));
    media.close();
    expect(screen.stop).toHaveBeenCalled();
  });

  it('sends a share chosen before publishing from the first packet', async () => {
    installFakeMedia();
    const media = new CallMedia(options(true));
    await media.capture();
    const screen = screenTrack();
    await media.shareScreen(screen as unknown as MediaStreamTrack);
    await media.publish();
    await vi.waitFor(() => expect(FakePeerConnection.created[0]!.senders[1]!.track).toBe(screen));
    media.close();
  });

  it('puts the camera back and says so when the share is stopped from outside the app (track ended)', async () => {
    installFakeMedia();
    const ended = vi.fn();
    const media = new CallMedia({ ...options(true), onScreenShareEnded: ended });
    const stream = (await media.publish()) as unknown as FakeStream;
    const screen = screenTrack();
    await media.shareScreen(screen as unknown as MediaStreamTrack);
    screen.onended?.();
    await vi.waitFor(() => expect(ended).toHaveBeenCalledOnce());
    expect(sending(stream)).toEqual(['live audio', 'live video']);
    media.close();
  });

  it('stops the first share when a second one replaces it', async () => {
    installFakeMedia();
    const media = new CallMedia(options(true));
    await media.publish();
    const [first, second] = [screenTrack(), screenTrack()];
    await media.shareScreen(first as unknown as MediaStreamTrack);
    await media.shareScreen(second as unknown as MediaStreamTrack);
    expect(first.stop).toHaveBeenCalled();
    expect(first.onended).toBeNull();
    expect(FakePeerConnection.created[0]!.senders[1]!.track).toBe(second);
    media.close();
  });

  it('refuses a share in an audio-only call and stops the capture', async () => {
    installFakeMedia();
    const media = new CallMedia(options(false));
    await media.publish();
    const screen = screenTrack();
    await expect(media.shareScreen(screen as unknown as MediaStreamTrack)).rejects.toThrow('only a video call');
    expect(screen.stop).toHaveBeenCalled();
    expect(FakePeerConnection.created[0]!.senders.map((sender) => sender.track?.kind)).toEqual(['audio']);
    media.close();
  });
});

describe('CallMedia on hold', () => {
  it('takes microphone and camera off the senders while this side holds the call, and puts them back on Resume', async () => {
    installFakeMedia();
    const media = new CallMedia(options(true));
    const stream = (await media.publish()) as unknown as FakeStream;
    expect(sending(stream)).toEqual(['live audio', 'live video']);

    media.setSendState({ onHold: true });
    await vi.waitFor(() => expect(sending(stream)).toEqual(['none', 'none']));
    media.setSendState({ onHold: false });
    await vi.waitFor(() => expect(sending(stream)).toEqual(['live audio', 'live video']));
    media.close();
  });

  it('sends nothing while the peer holds the call, and sends again when it resumes', async () => {
    installFakeMedia();
    const media = new CallMedia(options(true));
    const stream = (await media.publish()) as unknown as FakeStream;
    media.setSendState({ peerOnHold: true });
    await vi.waitFor(() => expect(sending(stream)).toEqual(['none', 'none']));
    // Both held: one side resuming is not enough.
    media.setSendState({ onHold: true });
    media.setSendState({ peerOnHold: false });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sending(stream)).toEqual(['none', 'none']);
    media.setSendState({ onHold: false });
    await vi.waitFor(() => expect(sending(stream)).toEqual(['live audio', 'live video']));
    media.close();
  });

  it('offers with no track on the senders when the call was held before its media started', async () => {
    installFakeMedia();
    const media = new CallMedia(options(true));
    media.setSendState({ onHold: true });
    const stream = (await media.publish()) as unknown as FakeStream;
    expect(FakePeerConnection.created[0]!.offeredTracks).toEqual([null, null]);
    expect(sending(stream)).toEqual(['none', 'none']);
    media.setSendState({ onHold: false });
    await vi.waitFor(() => expect(sending(stream)).toEqual(['live audio', 'live video']));
    media.close();
  });

  it('keeps a microphone switched during hold off the sender until Resume, and then sends the new one', async () => {
    installFakeMedia();
    const media = new CallMedia(options(false));
    const stream = (await media.publish()) as unknown as FakeStream;
    const first = stream.getAudioTracks()[0]!;
    media.setSendState({ onHold: true });
    await media.switchMicrophone('usb');
    expect(first.stop).toHaveBeenCalled();
    expect(sending(stream)).toEqual(['none']);
    media.setSendState({ onHold: false });
    await vi.waitFor(() => expect(sending(stream)).toEqual(['live audio']));
    expect(FakePeerConnection.created[0]!.senders[0]!.track).not.toBe(first);
    media.close();
  });

  it('moves the sender to a switched microphone outside hold', async () => {
    installFakeMedia();
    const media = new CallMedia(options(false));
    const stream = (await media.publish()) as unknown as FakeStream;
    const first = stream.getAudioTracks()[0]!;
    await media.switchMicrophone('usb');
    expect(sending(stream)).toEqual(['live audio']);
    expect(FakePeerConnection.created[0]!.senders[0]!.track).not.toBe(first);
    media.close();
  });
});

describe('CallMedia audio processing during a call', () => {
  const processing = (echoCancellation: boolean, noiseSuppression: boolean, autoGainControl: boolean) => ({
    echoCancellation,
    noiseSuppression,
    autoGainControl,
  });

  it('opens the microphone with each kind of processing as chosen', async () => {
    const { getUserMedia } = installFakeMedia();
    const media = new CallMedia({ ...options(false), audioInputId: 'usb', audioProcessing: processing(true, false, true) });
    await media.capture();
    expect(getUserMedia).toHaveBeenCalledWith({
      audio: { deviceId: { exact: 'usb' }, echoCancellation: true, noiseSuppression: false, autoGainControl: true },
      video: false,
    });
    media.close();
  });

  it('applies a change to the live microphone track, keeping the track on the sender', async () => {
    const { getUserMedia } = installFakeMedia();
    const media = new CallMedia(options(false));
    const stream = (await media.publish()) as unknown as FakeStream;
    const track = stream.getAudioTracks()[0]!;
    await media.setAudioProcessing(processing(false, true, true));
    expect(track.applyConstraints).toHaveBeenCalledWith({ echoCancellation: false, noiseSuppression: true, autoGainControl: true });
    expect(track.getSettings()).toMatchObject(processing(false, true, true));
    expect(getUserMedia).toHaveBeenCalledTimes(1);
    expect(FakePeerConnection.created[0]!.senders[0]!.track).toBe(track);
    media.close();
  });

  it('opens the microphone again with the new processing when the live track does not follow, keeping mute', async () => {
    const { getUserMedia } = installFakeMedia();
    const media = new CallMedia({ ...options(false), audioInputId: 'usb' });
    const stream = (await media.publish()) as unknown as FakeStream;
    const first = stream.getAudioTracks()[0]!;
    first.appliesLive = false;
    media.setSendState({ muted: true });
    await media.setAudioProcessing(processing(false, false, false));
    expect(getUserMedia).toHaveBeenLastCalledWith({
      audio: { deviceId: { exact: 'usb' }, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    const replacement = stream.getAudioTracks()[0]!;
    expect(replacement).not.toBe(first);
    expect(first.stop).toHaveBeenCalled();
    expect(replacement.getSettings()).toMatchObject(processing(false, false, false));
    expect(replacement.enabled).toBe(false);
    expect(FakePeerConnection.created[0]!.senders[0]!.track).toBe(replacement);
    media.close();
  });

  it('opens the microphone again when the browser refuses the change, and keeps it off the sender on hold', async () => {
    installFakeMedia();
    const media = new CallMedia(options(false));
    const stream = (await media.publish()) as unknown as FakeStream;
    const first = stream.getAudioTracks()[0]!;
    first.applyConstraints.mockRejectedValueOnce(new Error('OverconstrainedError'));
    media.setSendState({ onHold: true });
    await media.setAudioProcessing(processing(true, true, false));
    expect(stream.getAudioTracks()[0]).not.toBe(first);
    expect(sending(stream)).toEqual(['none']);
    media.close();
  });

  it('changes a microphone still opening once it is open', async () => {
    installFakeMedia();
    const media = new CallMedia(options(false));
    const capturing = media.capture();
    const changed = media.setAudioProcessing(processing(false, false, true));
    const stream = (await capturing) as unknown as FakeStream;
    await changed;
    expect(stream.getAudioTracks()[0]!.getSettings()).toMatchObject(processing(false, false, true));
    media.close();
  });
});
