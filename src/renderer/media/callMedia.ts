// A call's media: one peer connection that publishes this endpoint's microphone (and camera) to
// the call's Janus room, and one that receives the peer's media from it. With E2EE the frame
// worker is attached to every sender before the offer and to every receiver before the answer,
// and the publisher negotiates no audio-level extension and constant-bitrate Opus (e2eeNegotiation).
import { followsProcessing, microphoneConstraints } from './devicePreview';
import { stopAudioLevelExtension, withConstantBitrateOpus, withoutAudioLevelExtension } from './e2eeNegotiation';
import type { FrameEncryption } from './frameEncryption';
import type { IceCandidate, Jsep, MediaLeg } from '../../shared/protocol';
import type { AudioProcessing } from '../../shared/settings';
import type { CallStatsView } from '../store/appStore';

export interface MediaSignals {
  /** Sends the publisher's offer to the server; resolves with Janus's answer. */
  publish(offer: Jsep): Promise<Jsep>;
  /** Sends the answer to Janus's subscription offer. */
  subscribeAnswer(answer: Jsep): void;
  trickle(leg: MediaLeg, candidate: IceCandidate | null): void;
}

export interface CallMediaOptions {
  video: boolean;
  audioInputId: string | null;
  videoInputId: string | null;
  /** Echo cancellation, noise suppression and gain control at the start (changed by setAudioProcessing). */
  audioProcessing: AudioProcessing;
  signals: MediaSignals;
  onRemoteStream(stream: MediaStream): void;
  /** A peer connection failed for good. */
  onFailure(message: string): void;
  /** The microphone in use went away (unplugged); the default one was taken instead. */
  onMicrophoneReplaced(message: string): void;
  /** The screen share ended by itself: the user stopped it in the browser's or system's own control. */
  onScreenShareEnded(): void;
}

/** What this side sends: the microphone muted, the whole call on hold (by either side), the camera off. */
export interface SendState {
  muted: boolean;
  /** This side put the call on hold. */
  onHold: boolean;
  /** The peer put the call on hold: it plays nothing, so this side sends nothing either. */
  peerOnHold: boolean;
  cameraOff: boolean;
}

/** One published track's sender, and the track it was last told to send (null: nothing). */
interface PublishedSender {
  kind: 'audio' | 'video';
  sender: RTCRtpSender;
  sending: MediaStreamTrack | null;
}

const BASE_CONFIG: RTCConfiguration = { bundlePolicy: 'max-bundle', iceServers: [] };

export class CallMedia {
  private publisher: RTCPeerConnection | null = null;
  private subscriber: RTCPeerConnection | null = null;
  private localStream: MediaStream | null = null;
  private capturing: Promise<MediaStream> | null = null;
  private encryption: FrameEncryption | null = null;
  private readonly remoteStream = new MediaStream();
  private lastBytes = { time: 0, inbound: 0, outbound: 0 };
  private sendState: SendState = { muted: false, onHold: false, peerOnHold: false, cameraOff: false };
  private senders: PublishedSender[] = [];
  /** The shared screen or window: while set, the video sender sends it in place of the camera. */
  private screenTrack: MediaStreamTrack | null = null;
  private closed = false;
  /** The microphone chosen now (null: the default) and the processing it runs with. */
  private microphoneId: string | null;
  private processing: AudioProcessing;
  /** Processing changes run one after the other, so the last one chosen is the one that holds. */
  private processingChange: Promise<void> = Promise.resolve();

  constructor(private readonly options: CallMediaOptions) {
    this.microphoneId = options.audioInputId;
    this.processing = options.audioProcessing;
  }

  /**
   * Opens the microphone (and camera) now, so that it is ready when the call's mode is settled and
   * publishing starts. Calling it again changes nothing.
   */
  capture(): Promise<MediaStream> {
    const { video, audioInputId, videoInputId } = this.options;
    this.capturing ??= navigator.mediaDevices
      .getUserMedia({
        audio: microphoneConstraints(audioInputId, this.processing),
        video: video ? (videoInputId ? { deviceId: { exact: videoInputId } } : true) : false,
      })
      .then((stream) => {
        if (this.closed) {
          for (const track of stream.getTracks()) track.stop();
          throw new Error('the call ended while the microphone was starting');
        }
        this.localStream = stream;
        // A mute, hold or camera-off chosen before the stream arrived holds from its first frame.
        this.setSendState({});
        for (const track of stream.getAudioTracks()) this.watchMicrophone(track);
        return stream;
      });
    this.capturing.catch(() => undefined);
    return this.capturing;
  }

  /** With E2EE, the frame worker for every sender and receiver; set before `publish`. */
  useEncryption(encryption: FrameEncryption | null): void {
    this.encryption = encryption;
  }

  /** Publishes the captured microphone (and camera) to the room. */
  async publish(): Promise<MediaStream> {
    const { signals } = this.options;
    const encryption = this.encryption;
    const localStream = await this.capture();
    const pc = this.createPeerConnection('publisher');
    this.publisher = pc;
    let audioLevelsStopped = true;
    for (const track of localStream.getTracks()) {
      const transceiver = pc.addTransceiver(track, { direction: 'sendonly', streams: [localStream] });
      encryption?.attachSender(transceiver.sender);
      if (encryption && track.kind === 'audio') audioLevelsStopped &&= stopAudioLevelExtension(transceiver);
      this.senders.push({ kind: track.kind === 'video' ? 'video' : 'audio', sender: transceiver.sender, sending: track });
    }
    // A call held before its media existed sends nothing from the first packet.
    await this.applySendState();
    const offer = await pc.createOffer();
    // With E2EE the media server gets no audio levels and no frame sizes that follow the voice.
    if (encryption && !audioLevelsStopped) offer.sdp = withoutAudioLevelExtension(offer.sdp ?? '');
    await pc.setLocalDescription(offer);
    const answer = await signals.publish({ type: 'offer', sdp: offer.sdp ?? '' });
    await pc.setRemoteDescription(encryption ? { type: answer.type, sdp: withConstantBitrateOpus(answer.sdp) } : answer);
    return localStream;
  }

  /** Answers Janus's offer for the peer's media. */
  async subscribe(offer: Jsep): Promise<void> {
    const { signals, onRemoteStream } = this.options;
    const encryption = this.encryption;
    this.subscriber?.close();
    const pc = this.createPeerConnection('subscriber');
    this.subscriber = pc;
    pc.ontrack = (event) => {
      this.remoteStream.addTrack(event.track);
      onRemoteStream(this.remoteStream);
    };
    await pc.setRemoteDescription(offer);
    // Receivers exist only now; their transforms must be in place before the answer.
    if (encryption) for (const transceiver of pc.getTransceivers()) encryption.attachReceiver(transceiver.receiver);
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    signals.subscribeAnswer({ type: 'answer', sdp: answer.sdp ?? '' });
  }

  /**
   * Mute, hold and camera-off all come down to what the senders send: applied together here. Mute
   * and camera-off disable the track (silence and black frames still go out); hold on either side
   * takes the tracks off the senders, so no microphone or camera bytes leave at all until Resume.
   */
  setSendState(state: Partial<SendState>): void {
    this.sendState = { ...this.sendState, ...state };
    void this.applySendState();
  }

  /**
   * Sends a screen (or window) capture in place of the camera, on the same video sender: no
   * renegotiation, and with E2EE the sender's transform encrypts it like the camera. Only video
   * calls have a video sender; the previous share, if any, stops.
   */
  async shareScreen(track: MediaStreamTrack): Promise<void> {
    if (this.closed || track.kind !== 'video' || !this.options.video) {
      track.stop();
      throw new Error(this.closed ? 'the call has ended' : 'only a video call can share the screen');
    }
    const previous = this.screenTrack;
    // Text and fine lines matter more in a shared screen than smooth motion.
    track.contentHint = 'detail';
    track.onended = () => {
      if (this.screenTrack !== track || this.closed) return;
      void this.stopScreenShare().then(() => this.options.onScreenShareEnded());
    };
    this.screenTrack = track;
    await this.applySendState();
    if (previous) stopTrack(previous);
  }

  /** Puts the camera back on the video sender and stops the screen capture. */
  async stopScreenShare(): Promise<void> {
    const track = this.screenTrack;
    if (!track) return;
    this.screenTrack = null;
    await this.applySendState();
    stopTrack(track);
  }

  /** Switches the microphone during the call (no renegotiation: the sender keeps its transform). */
  async switchMicrophone(deviceId: string | null): Promise<void> {
    this.microphoneId = deviceId;
    const stream = await navigator.mediaDevices.getUserMedia({ audio: microphoneConstraints(deviceId, this.processing) });
    const track = stream.getAudioTracks()[0];
    if (!track || !this.localStream || this.closed) {
      for (const unused of stream.getTracks()) unused.stop();
      return;
    }
    const old = this.localStream.getAudioTracks();
    this.localStream.addTrack(track);
    for (const replaced of old) this.localStream.removeTrack(replaced);
    this.watchMicrophone(track);
    // The sender moves to the new microphone (unless the call is on hold) before the old one stops.
    await this.applySendState();
    for (const replaced of old) {
      replaced.onended = null;
      replaced.stop();
    }
  }

  /**
   * Changes echo cancellation, noise suppression and gain control during the call. They are applied
   * to the live microphone track; where its settings do not follow (the browser cannot change that
   * processing on an open source) the microphone is opened again with them and replaces the old
   * one on the sender (switchMicrophone: no renegotiation, mute and hold kept).
   */
  setAudioProcessing(processing: AudioProcessing): Promise<void> {
    this.processing = processing;
    this.processingChange = this.processingChange.then(() => this.applyAudioProcessing(processing));
    return this.processingChange;
  }

  private async applyAudioProcessing(processing: AudioProcessing): Promise<void> {
    // A microphone still opening opens with the processing chosen before: change it once it is open.
    await this.capturing?.catch(() => undefined);
    const track = this.localStream?.getAudioTracks()[0];
    if (!track || this.closed || this.processing !== processing) return;
    const applied = await track.applyConstraints(microphoneConstraints(this.microphoneId, processing)).then(
      () => followsProcessing(track.getSettings(), processing),
      () => false,
    );
    if (!applied && !this.closed) await this.switchMicrophone(this.microphoneId);
  }

  /** Quality and flow figures from WebRTC stats. */
  async stats(): Promise<CallStatsView> {
    const view: CallStatsView = {
      totalSamplesReceived: 0,
      roundTripMs: null,
      jitterMs: null,
      packetsLostPercent: null,
      inboundKbps: 0,
      outboundKbps: 0,
    };
    let inboundBytes = 0;
    let outboundBytes = 0;
    let packetsLost = 0;
    let packetsReceived = 0;
    const [received, sent] = await Promise.all([this.subscriber?.getStats(), this.publisher?.getStats()]);
    received?.forEach((report: Record<string, unknown>) => {
      if (report.type !== 'inbound-rtp') return;
      inboundBytes += Number(report.bytesReceived ?? 0);
      packetsLost += Number(report.packetsLost ?? 0);
      packetsReceived += Number(report.packetsReceived ?? 0);
      if (report.kind === 'audio') {
        view.totalSamplesReceived = Number(report.totalSamplesReceived ?? 0);
        view.jitterMs = report.jitter === undefined ? null : Number(report.jitter) * 1000;
      }
    });
    sent?.forEach((report: Record<string, unknown>) => {
      if (report.type === 'outbound-rtp') outboundBytes += Number(report.bytesSent ?? 0);
      if (report.type === 'candidate-pair' && report.nominated && report.currentRoundTripTime !== undefined) {
        view.roundTripMs = Number(report.currentRoundTripTime) * 1000;
      }
    });
    if (packetsReceived + packetsLost > 0) view.packetsLostPercent = (100 * packetsLost) / (packetsReceived + packetsLost);
    const now = performance.now();
    const seconds = (now - this.lastBytes.time) / 1000;
    if (this.lastBytes.time > 0 && seconds > 0) {
      view.inboundKbps = Math.max(0, (8 * (inboundBytes - this.lastBytes.inbound)) / 1000 / seconds);
      view.outboundKbps = Math.max(0, (8 * (outboundBytes - this.lastBytes.outbound)) / 1000 / seconds);
    }
    this.lastBytes = { time: now, inbound: inboundBytes, outbound: outboundBytes };
    return view;
  }

  close(): void {
    this.closed = true;
    this.publisher?.close();
    this.subscriber?.close();
    this.publisher = null;
    this.subscriber = null;
    this.senders = [];
    if (this.screenTrack) stopTrack(this.screenTrack);
    this.screenTrack = null;
    this.stopLocal();
    for (const track of this.remoteStream.getTracks()) track.stop();
  }

  /**
   * Enables the tracks and puts on each sender the track it should send now: none while the call is
   * on hold, else the current microphone, and the shared screen or else the camera. `replaceTrack` needs no renegotiation, and the
   * browser runs its calls in order.
   */
  private async applySendState(): Promise<void> {
    const { muted, cameraOff, onHold, peerOnHold } = this.sendState;
    const held = onHold || peerOnHold;
    for (const track of this.localStream?.getAudioTracks() ?? []) track.enabled = !muted && !held;
    for (const track of this.localStream?.getVideoTracks() ?? []) track.enabled = !cameraOff && !held;
    if (this.screenTrack) this.screenTrack.enabled = !held;
    const changes = this.senders.flatMap((published) => {
      const screen = published.kind === 'video' ? this.screenTrack : null;
      const live = screen ?? this.localStream?.getTracks().find((track) => track.kind === published.kind) ?? null;
      const wanted = held ? null : live;
      if (published.sending === wanted) return [];
      published.sending = wanted;
      return [published.sender.replaceTrack(wanted)];
    });
    try {
      await Promise.all(changes);
    } catch (error) {
      if (!this.closed) this.options.onFailure(`the ${held ? 'held' : 'resumed'} call's media could not be switched: ${String(error)}`);
    }
  }

  /** When the microphone is unplugged mid-call, carry on with the default one. */
  private watchMicrophone(track: MediaStreamTrack): void {
    track.onended = () => {
      if (this.closed) return;
      this.switchMicrophone(null).then(
        () => this.options.onMicrophoneReplaced('The microphone was disconnected; using the default microphone.'),
        (error: unknown) => this.options.onFailure(`no microphone is available: ${String(error)}`),
      );
    };
  }

  private stopLocal(): void {
    for (const track of this.localStream?.getTracks() ?? []) {
      track.onended = null;
      track.stop();
    }
    this.localStream = null;
  }

  private createPeerConnection(leg: MediaLeg): RTCPeerConnection {
    const pc = new RTCPeerConnection({ ...BASE_CONFIG, ...this.encryption?.peerConnectionConfig });
    pc.onicecandidate = (event) => {
      if (this.closed) return;
      const candidate = event.candidate;
      this.options.signals.trickle(
        leg,
        candidate ? { candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex } : null,
      );
    };
    pc.onconnectionstatechange = () => {
      if (!this.closed && pc.connectionState === 'failed') this.options.onFailure(`the ${leg} media connection failed`);
    };
    return pc;
  }
}

function stopTrack(track: MediaStreamTrack): void {
  track.onended = null;
  track.stop();
}
