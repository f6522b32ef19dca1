// Stand-ins for the browser's media objects (MediaStream, getUserMedia, RTCPeerConnection), for
// unit tests that run in Node. Only what CallMedia touches.
import { vi } from 'vitest';

export class FakeTrack {
  enabled = true;
  onended: (() => void) | null = null;
  readonly stop = vi.fn();
  /** What getSettings reports: the boolean constraints the track was opened or last changed with. */
  settings: Record<string, unknown> = {};
  /** Set to false to play a browser that accepts a change but does not apply it to the open source. */
  appliesLive = true;
  readonly applyConstraints = vi.fn(async (constraints: Record<string, unknown>) => {
    if (this.appliesLive) this.settings = { ...this.settings, ...booleansOf(constraints) };
  });
  constructor(
    readonly kind: 'audio' | 'video',
    constraints: unknown = {},
  ) {
    this.settings = booleansOf(constraints);
  }
  getSettings() {
    return { ...this.settings };
  }
}

function booleansOf(constraints: unknown): Record<string, boolean> {
  if (typeof constraints !== 'object' || constraints === null) return {};
  return Object.fromEntries(Object.entries(constraints).filter((entry): entry is [string, boolean] => typeof entry[1] === 'boolean'));
}

export class FakeStream {
  private readonly tracks: FakeTrack[];
  constructor(tracks: FakeTrack[] = []) {
    this.tracks = [...tracks];
  }
  getTracks() {
    return [...this.tracks];
  }
  getAudioTracks() {
    return this.tracks.filter((track) => track.kind === 'audio');
  }
  getVideoTracks() {
    return this.tracks.filter((track) => track.kind === 'video');
  }
  addTrack(track: FakeTrack) {
    this.tracks.push(track);
  }
  removeTrack(track: FakeTrack) {
    this.tracks.splice(this.tracks.indexOf(track), 1);
  }
}

export class FakeSender {
  constructor(public track: FakeTrack | null) {}
  readonly replaceTrack = vi.fn(async (track: FakeTrack | null) => {
    this.track = track;
  });
}

export class FakePeerConnection {
  /** Every peer connection made since the fakes were installed, oldest first. */
  static created: FakePeerConnection[] = [];
  connectionState = 'new';
  onicecandidate: unknown = null;
  onconnectionstatechange: unknown = null;
  ontrack: unknown = null;
  readonly senders: FakeSender[] = [];
  /** What each sender was sending when the offer was made. */
  offeredTracks: (FakeTrack | null)[] | null = null;
  constructor() {
    FakePeerConnection.created.push(this);
  }
  addTransceiver(track: FakeTrack) {
    const sender = new FakeSender(track);
    this.senders.push(sender);
    return { sender };
  }
  async createOffer() {
    this.offeredTracks = this.senders.map((sender) => sender.track);
    return { type: 'offer', sdp: '' };
  }
  async createAnswer() {
    return { type: 'answer', sdp: '' };
  }
  async setLocalDescription() {}
  async setRemoteDescription() {}
  getTransceivers() {
    return [];
  }
  getSenders() {
    return [...this.senders];
  }
  async getStats() {
    return new Map();
  }
  close() {}
}

/**
 * Installs the fakes as globals; getUserMedia hands out streams of fresh tracks (audio, and video
 * when asked) and records them in `captured`; getDisplayMedia hands out one video track. Undo with vi.unstubAllGlobals().
 */
export function installFakeMedia(): { captured: FakeStream[]; getUserMedia: ReturnType<typeof vi.fn>; getDisplayMedia: ReturnType<typeof vi.fn> } {
  const captured: FakeStream[] = [];
  const getUserMedia = vi.fn(async (constraints: { audio?: unknown; video?: unknown }) => {
    const stream = new FakeStream([
      ...(constraints.audio ? [new FakeTrack('audio', constraints.audio)] : []),
      ...(constraints.video ? [new FakeTrack('video')] : []),
    ]);
    captured.push(stream);
    return stream;
  });
  // The screen picker: one video track of the chosen screen.
  const getDisplayMedia = vi.fn(async () => new FakeStream([new FakeTrack('video')]));
  FakePeerConnection.created = [];
  vi.stubGlobal('MediaStream', FakeStream);
  vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
  vi.stubGlobal('navigator', { mediaDevices: { getUserMedia, getDisplayMedia } });
  return { captured, getUserMedia, getDisplayMedia };
}
