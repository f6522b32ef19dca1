// The UI's state, in one zustand store. This is the only module that imports zustand (lint
// enforces it). Nothing secret lives here: no key, no key material, no handshake bytes — only what
// the screens show.
import { create } from 'zustand';
import type { ContactView, E2eeStatus, IdentityAtRest, IdentityInfo, PeerTrust } from '../../shared/bridge';
import type { HistoryEntry } from '../../shared/contacts/callHistory';
import type { EndReason, PresenceStatus } from '../../shared/protocol';
import type { Settings } from '../../shared/settings';
import type { CaptureView, RecordingsView } from '../capture/captureView';
import type { FrameCounters } from '../media/frameCryptoMessages';
import type { ConnectionStatus } from '../signaling/serverConnection';

export type CallPhase =
  | 'confirm-key-change' // the peer's key changed: the user decides before dialing
  | 'dialing' // invite sent
  | 'ringing' // the callee's device rings
  | 'incoming' // someone is calling us
  | 'connecting' // accepted; media and handshake are being set up
  | 'active'; // media flows both ways

export interface CallStatsView {
  totalSamplesReceived: number;
  roundTripMs: number | null;
  jitterMs: number | null;
  packetsLostPercent: number | null;
  inboundKbps: number;
  outboundKbps: number;
}

/**
 * The call's encryption as the host reports it, less the peer's trust: CallView.peerTrust is the
 * one copy of that (it changes when the user marks the peer verified).
 */
export type CallE2eeView = Exclude<E2eeStatus, { state: 'established' }> | Omit<Extract<E2eeStatus, { state: 'established' }>, 'peerTrust'>;

export interface CallView {
  callId: string;
  direction: 'outgoing' | 'incoming';
  peer: string;
  phase: CallPhase;
  video: boolean;
  /** What this device knows of the peer's key: pinned, new, changed or verified. */
  peerTrust: PeerTrust | null;
  /** Null until both decisions are known. */
  e2ee: CallE2eeView | null;
  /** Whether each side asks for end-to-end encryption: this device's decision, and the peer's once known (the callee has it from the invite). */
  e2eeWanted: { mine: boolean; peer: boolean | null };
  muted: boolean;
  /** This side put the call on hold (sends nothing, plays nothing). */
  onHold: boolean;
  /** The peer put the call on hold. */
  peerOnHold: boolean;
  /** Video calls: this side's camera is off. */
  cameraOff: boolean;
  /** Video calls: this side sends a shared screen or window in place of its camera. */
  sharingScreen: boolean;
  /** When media started flowing (ms since epoch). */
  activeSince: number | null;
  counters: FrameCounters | null;
  stats: CallStatsView | null;
  /** The peer's audio (and video), for the call view's media elements. */
  remoteStream: MediaStream | null;
  /** Incoming calls: why the caller's signed decision in the invite does not verify (the call would fail). */
  inviteProblem: string | null;
}

export interface EndedCallView {
  callId: string;
  direction: 'outgoing' | 'incoming';
  peer: string;
  reason: EndReason;
  /** Whether this side ended it (hung up, declined, cancelled). */
  byMe: boolean;
  /** A detail for failures (e.g. what went wrong with end-to-end encryption). */
  detail: string | null;
}

export interface AppState {
  boot: { state: 'loading' } | { state: 'first-run' } | { state: 'ready' } | { state: 'failed'; message: string };
  identity: IdentityInfo | null;
  /** How the host keeps the identity key (null until known, or when the host could not say). */
  identityAtRest: IdentityAtRest | null;
  settings: Settings | null;
  /** A problem reading stored data, shown once (e.g. settings reset from a corrupted file). */
  storageProblem: string | null;
  connection: ConnectionStatus;
  call: CallView | null;
  lastEnded: EndedCallView | null;
  /** A transient message for the user (failed dial, refused request). */
  notice: string | null;
  /** A softphone://call/<handle> link asked to call this handle: nothing is dialled until the user confirms. */
  dialRequest: string | null;
  /** Recording and transcription of the current call, or of the last one until another starts. */
  capture: CaptureView | null;
  recordings: RecordingsView;
  contacts: ContactView[];
  history: HistoryEntry[];
  /** Presence of the contacts, as the server reports it. */
  presence: Record<string, PresenceStatus>;
  /** This user's do-not-disturb choice (incoming calls are declined and land in history as missed). */
  doNotDisturb: boolean;
}

const initialState: AppState = {
  boot: { state: 'loading' },
  identity: null,
  identityAtRest: null,
  settings: null,
  storageProblem: null,
  connection: { state: 'connecting' },
  call: null,
  lastEnded: null,
  notice: null,
  dialRequest: null,
  capture: null,
  recordings: { state: 'idle', items: [], problem: null },
  contacts: [],
  history: [],
  presence: {},
  doNotDisturb: false,
};

export const useAppStore = create<AppState>(() => initialState);

/** Reads state in components: `useApp((s) => s.call)`. */
export const useApp = useAppStore;

export function getState(): AppState {
  return useAppStore.getState();
}

export function setState(patch: Partial<AppState> | ((state: AppState) => Partial<AppState>)): void {
  useAppStore.setState(patch);
}

/** Updates the current call if it is still `callId`; a late event for an older call changes nothing. */
export function updateCall(callId: string, patch: Partial<CallView>): void {
  useAppStore.setState((state) => (state.call?.callId === callId ? { call: { ...state.call, ...patch } } : {}));
}
