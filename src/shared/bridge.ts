// The contract between the renderer and its host: Electron main behind the preload, or the web
// host in a browser. One entry per channel with the schemas of its arguments and result. The
// preload builds one named method per channel of the desktop contract; main registers each handler
// through one wrapper that checks the sender and parses the arguments; the web host implements the
// web contract in the page. The channels both hosts share are `bridgeContract`; they differ only in
// identity backup (see `desktopBackupContract` and `pageBackupContract`). The renderer sees both
// through one interface (renderer/host/bridge.ts).
//
// Key material never crosses this boundary: main signs and runs the handshake itself, and the
// per-call frame keys go straight to the renderer's encryption worker over a MessagePort.
import { z } from 'zod';
import { CallId, CallRole, E2eeDecision, HandshakeMessage, Handle, Nonce, PublicKey, ServerOrigin, Signature } from './protocol';
import { CaptureDecision, CaptureRequest } from './recordingPolicy';
import { Settings, SettingsPatch } from './settings';
import { HistoryEntry } from './contacts/callHistory';

export const IdentityInfo = z.object({
  publicKey: PublicKey,
  /** The handle registered on the server, or null before first run completes. */
  handle: Handle.nullable(),
  /** The public key's fingerprint as shown to users (groups of hex digits). */
  fingerprint: z.string(),
});
export type IdentityInfo = z.infer<typeof IdentityInfo>;

/** How this device keeps the identity key at rest, as Settings' identity section says it. */
export const IdentityAtRest = z.object({
  /** False when anyone who can read the stored data can read the key (no key store, or the web client's storage). */
  protected: z.boolean(),
  /** One or two plain sentences: where the key is kept and who could read it. */
  description: z.string().max(500),
  /** The desktop app offers to protect the stores with a passphrase instead (no key store on this system). */
  passphraseOffered: z.boolean().optional(),
  /** False where the identity cannot be exported at all (the web client's non-extractable key). */
  exportable: z.boolean().optional(),
});
export type IdentityAtRest = z.infer<typeof IdentityAtRest>;

export const SettingsState = z.object({
  settings: Settings,
  /** Set when the stored settings could not be read: what happened and where the old file went. */
  problem: z.string().nullable(),
});
export type SettingsState = z.infer<typeof SettingsState>;

/** How far this device trusts the peer's identity key. */
export const PeerTrust = z.enum([
  'new', // first call with this handle: the key is now pinned
  'pinned', // the key matches the one pinned earlier
  'verified', // pinned, and the user compared security codes and marked it verified
  'changed', // the key differs from the pinned one: warn before and during the call
]);
export type PeerTrust = z.infer<typeof PeerTrust>;

export const CallPrepareArgs = z.object({
  callId: CallId,
  role: CallRole,
  peerHandle: Handle,
  peerKey: PublicKey,
});

/** An invite as it arrived: its call, the caller and its key as the server named them, the caller's signed decision. */
export const InviteCheckArgs = z.object({ callId: CallId, peerHandle: Handle, peerKey: PublicKey, decision: E2eeDecision });
/**
 * Whether an invite may ring (see shared/e2ee/inviteFreshness.ts): 'live' rings; 'unverified' (the
 * decision's signature does not verify, so its time cannot be trusted either) rings with `reason`
 * as a warning; 'replayed' and 'stale' never ring.
 */
export const InviteCheck = z.object({
  verdict: z.enum(['live', 'unverified', 'replayed', 'stale']),
  reason: z.string().max(300).nullable(),
});
export type InviteCheck = z.infer<typeof InviteCheck>;
export const CallPrepareResult = z.object({
  /** This side's E2EE setting for the call, signed by the identity key. */
  decision: E2eeDecision,
  peerTrust: PeerTrust,
});

export const StandardReason = z.enum(['local-off', 'peer-off', 'both-off']);
export type StandardReason = z.infer<typeof StandardReason>;

/** A handshake message as the wire carries it (protocol.ts), passed between renderer and host. */
export { HandshakeMessage };

/** The end-to-end state of one call as the host sees it. */
export const E2eeStatus = z.discriminatedUnion('state', [
  /** Standard (hop-by-hop DTLS-SRTP) encryption, and why. */
  z.object({ state: z.literal('standard'), reason: StandardReason }),
  z.object({ state: z.literal('handshaking') }),
  z.object({
    state: z.literal('established'),
    /** 20 digits, the same on both ends unless someone is in the middle. */
    securityCode: z.string().regex(/^\d{20}$/),
    peerTrust: PeerTrust,
  }),
  z.object({ state: z.literal('failed'), reason: z.string().max(300) }),
]);
export type E2eeStatus = z.infer<typeof E2eeStatus>;

export const E2eeStep = z.object({
  status: E2eeStatus,
  /** A handshake message to relay to the peer, if this step produced one. */
  send: HandshakeMessage.nullable(),
});
export type E2eeStep = z.infer<typeof E2eeStep>;

/** A saved contact as the contact list shows it. */
export const ContactView = z.object({
  handle: Handle,
  publicKey: PublicKey,
  fingerprint: z.string(),
  verified: z.boolean(),
  favourite: z.boolean(),
  /** The server now gives a different key for this handle than the pinned one. */
  keyChanged: z.boolean(),
});
export type ContactView = z.infer<typeof ContactView>;

const HandleArg = z.tuple([z.object({ handle: Handle })]);

/** A passphrase for a new identity backup: long enough to resist guessing, short enough to type. */
export const NewBackupPassphrase = z.string().min(10, 'choose a passphrase of at least 10 characters').max(1024, 'the passphrase is too long');
/** The passphrase offered to open an identity backup. */
export const BackupPassphrase = z.string().min(1, 'enter the passphrase the file was exported with').max(1024, 'the passphrase is too long');
/** The text of an identity backup file (shared/identityBackup.ts); anything far larger is refused unread. */
export const BackupFileText = z.string().min(1, 'the file is empty').max(16_384, 'the file is too large to be an identity file');

export const IdentityImport = z.object({ file: BackupFileText, passphrase: BackupPassphrase });

/** What the renderer is doing, for the desktop's tray status, incoming-call notification and mute shortcut. */
export const AppStatus = z.object({
  presence: z.enum(['available', 'in-call', 'dnd']),
  /** The call ringing on this device now; null when none is. */
  incomingCall: z.object({ callId: CallId, from: Handle, video: z.boolean() }).nullable(),
});
export type AppStatus = z.infer<typeof AppStatus>;

const noArgs = z.tuple([]);

export const bridgeContract = {
  'identity.get': { args: noArgs, result: IdentityInfo },
  /** How the identity key is protected at rest on this device. */
  'identity.atRest': { args: noArgs, result: IdentityAtRest },
  /** Records the handle after the server accepted the registration. */
  'identity.setHandle': { args: z.tuple([Handle]), result: IdentityInfo },
  /**
   * Signs the server's login challenge for the server at `origin`, as the renderer dialled it (the
   * host builds the signed bytes itself).
   */
  'identity.signLogin': { args: z.tuple([z.object({ nonce: Nonce, origin: ServerOrigin })]), result: Signature },
  'settings.get': { args: noArgs, result: SettingsState },
  'settings.update': { args: z.tuple([SettingsPatch]), result: Settings },
  /** What the app is doing now (presence, a ringing call): the desktop's tray, notification and mute shortcut follow it. */
  'app.status': { args: z.tuple([AppStatus]), result: z.null() },
  /**
   * The settings panel shows the microphone level and lists the devices (true) until it closes
   * (false): the desktop grants the microphone and camera in between, as during a call.
   */
  'devices.preview': { args: z.tuple([z.boolean()]), result: z.null() },
  /**
   * Starts a call on this device: pins or checks the peer's key and signs this side's E2EE
   * decision. Media permission is granted from here until `call.end`.
   */
  'call.prepare': { args: z.tuple([CallPrepareArgs]), result: CallPrepareResult },
  /**
   * An invite arrived: is it a live call (the caller's signed decision verifies, was signed within
   * the invite window of this clock, and its call id was not seen before)? Asked before anything
   * rings; a live invite's call id is remembered, so the same invite again is a replay.
   */
  'call.checkInvite': { args: z.tuple([InviteCheckArgs]), result: InviteCheck },
  /**
   * Both decisions are known: checks the peer's signed decision and decides the mode. The caller
   * gets the first handshake message to send.
   */
  'e2ee.begin': {
    args: z.tuple([z.object({ callId: CallId, peerDecision: E2eeDecision })]),
    result: E2eeStep,
  },
  /** One handshake message from the peer. */
  'e2ee.receive': {
    args: z.tuple([z.object({ callId: CallId, message: HandshakeMessage })]),
    result: E2eeStep,
  },
  /** Marks the peer's current key as verified after the users compared security codes. */
  'contacts.markVerified': { args: z.tuple([z.object({ handle: Handle, publicKey: PublicKey })]), result: PeerTrust },
  /**
   * The host's recording policy (shared/recordingPolicy.ts): may this device ask the server to
   * record or transcribe the call? Refused while the call is, or may become, end-to-end encrypted.
   * The renderer asks before every `recording.start` / `transcription.start` it sends; an allowed
   * decision carries the signed statement the server requires with that request.
   */
  'capture.authorize': { args: z.tuple([CaptureRequest]), result: CaptureDecision },
  /** The saved contacts, favourites first. */
  'contacts.list': { args: noArgs, result: z.array(ContactView) },
  /** Saves a contact with the key the server gave for the handle (pinned if new; a different key is a warning). */
  'contacts.add': { args: z.tuple([z.object({ handle: Handle, publicKey: PublicKey })]), result: ContactView },
  /** Removes a contact from the list; its pinned key is kept. */
  'contacts.remove': { args: HandleArg, result: z.null() },
  'contacts.setFavourite': { args: z.tuple([z.object({ handle: Handle, favourite: z.boolean() })]), result: ContactView },
  /** The user accepts a contact's changed key: it is pinned, unverified. */
  'contacts.acceptKey': { args: HandleArg, result: ContactView },
  /** This device's call history, newest first. */
  'history.list': { args: noArgs, result: z.array(HistoryEntry) },
  'history.record': { args: z.tuple([HistoryEntry]), result: z.null() },
  /** The user has seen the history: missed calls stop counting in the badge. */
  'history.markSeen': { args: noArgs, result: z.null() },
  /** The call is over on this device: forget its keys and revoke media permission. */
  'call.end': { args: z.tuple([z.object({ callId: CallId })]), result: z.null() },
} as const;

/** What a main-owned identity backup dialog tells the renderer: nothing but how it ended. */
export const BackupOutcome = z.enum(['done', 'cancelled']);
export type BackupOutcome = z.infer<typeof BackupOutcome>;

/**
 * Identity backup in the desktop app. Main asks for the passphrase in a window of its own, picks
 * the file with the system's save or open dialog, and confirms an import in its own dialog; the
 * renderer starts the flow and learns only whether it was done or cancelled (a failure is an
 * error with its reason). No passphrase, file content or path crosses the bridge, so a
 * compromised renderer can neither export the key under a passphrase it knows nor replace the
 * identity without the user.
 */
export const desktopBackupContract = {
  /** Encrypts this device's identity with a passphrase the user types in main's window, into a file they choose. */
  'identity.exportBackup': { args: noArgs, result: BackupOutcome },
  /**
   * Replaces this device's identity with one from a file the user chooses and opens with its
   * passphrase, after they confirm in main's dialog. Refused during a call. Main then restarts.
   */
  'identity.importBackup': { args: noArgs, result: BackupOutcome },
  /**
   * Where the system has no key store: protects the identity, contacts and history with a
   * passphrase the user chooses in main's window (asked at each start from then on). Main then
   * restarts. Refused during a call.
   */
  'identity.protectWithPassphrase': { args: noArgs, result: BackupOutcome },
} as const;

/**
 * Identity backup in the web client, where the page asks for the passphrase and handles the file.
 * It differs from the desktop because there is nothing else: the web host is page script served
 * by the same server as the UI, and the identity seed already sits in the page's storage, so a
 * dialog of the host's own would protect nothing the page cannot already read.
 */
export const pageBackupContract = {
  /** Encrypts this device's identity with the passphrase, as a file to move it to a new device. */
  'identity.export': {
    args: z.tuple([z.object({ passphrase: NewBackupPassphrase })]),
    result: z.object({ fileName: z.string().regex(/^[a-z0-9._-]{1,80}$/), contents: BackupFileText }),
  },
  /** Opens an identity file without changing anything: the identity in it, for the user to confirm. */
  'identity.checkImport': { args: z.tuple([IdentityImport]), result: IdentityInfo },
  /**
   * Replaces this device's identity with the one in the file, once the user confirmed. Refused
   * during a call. The host then restarts the app, so every part of it uses the new identity.
   */
  'identity.import': { args: z.tuple([IdentityImport]), result: IdentityInfo },
} as const;

/** A screen or window as Electron's desktopCapturer names it (`screen:0:0`, `window:1234:0`). */
export const ScreenSourceId = z.string().regex(/^(screen|window):[0-9A-Za-z:_-]{1,100}$/, 'not a screen or window id');

/** A screen or window the desktop app's picker offers to share. */
export const ScreenSource = z.object({
  id: ScreenSourceId,
  name: z.string().max(300),
  kind: z.enum(['screen', 'window']),
  /** A small picture of it, as a PNG data: URL (empty when the system gave none). */
  thumbnail: z
    .string()
    .max(1_000_000)
    .regex(/^(data:image\/png;base64,[A-Za-z0-9+/=]*)?$/, 'not a PNG data URL'),
});
export type ScreenSource = z.infer<typeof ScreenSource>;

/**
 * Screen sharing in the desktop app. The renderer shows main's list of screens and windows in its
 * own picker; the one the user picks is what main gives the page's next `getDisplayMedia` (within
 * seconds, during a call). The page cannot name a source main did not list, nor capture without a
 * pick.
 */
export const desktopScreenShareContract = {
  /** The screens and windows that could be shared now, with thumbnails. Refused outside a call. */
  'screenShare.sources': { args: noArgs, result: z.array(ScreenSource).max(500) },
  /** The user picked this one (from the last list): the next getDisplayMedia captures it. */
  'screenShare.choose': { args: z.tuple([z.object({ id: ScreenSourceId })]), result: z.null() },
} as const;

/** Every channel main answers (and the preload exposes). */
export const desktopContract = { ...bridgeContract, ...desktopBackupContract, ...desktopScreenShareContract } as const;
/** Every channel the web host answers. */
export const webContract = { ...bridgeContract, ...pageBackupContract } as const;

type AnyContract = typeof bridgeContract & typeof desktopBackupContract & typeof desktopScreenShareContract & typeof pageBackupContract;
export type BridgeChannel = keyof AnyContract;
export type DesktopChannel = keyof typeof desktopContract;
export type WebChannel = keyof typeof webContract;
export type BridgeArgs<C extends BridgeChannel> = z.infer<AnyContract[C]['args']>;
export type BridgeResult<C extends BridgeChannel> = z.infer<AnyContract[C]['result']>;

type CallsOf<C extends BridgeChannel> = {
  [K in C]: (...args: BridgeArgs<K>) => Promise<BridgeResult<K>>;
};
/** What every host does for the renderer: one async method per shared channel. */
export type HostCalls = CallsOf<keyof typeof bridgeContract>;
/** What main does for the renderer (through the preload). */
export type DesktopCalls = CallsOf<DesktopChannel>;
/** What the web host does for the renderer. */
export type WebCalls = CallsOf<WebChannel>;

/** Events the host raises in the renderer (tray, notifications, deep links, shortcuts). */
export const HostEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('dial'), handle: Handle }),
  z.object({ type: z.literal('accept-call'), callId: CallId }),
  z.object({ type: z.literal('decline-call'), callId: CallId }),
  z.object({ type: z.literal('toggle-mute') }),
]);
export type HostEvent = z.infer<typeof HostEvent>;

/**
 * What the Electron preload exposes as `window.softphone`: one method per channel, plus host
 * events. The preload's object satisfies this type; the renderer reads `window.softphone` as it.
 */
export type PreloadApi = DesktopCalls & {
  onEvent(listener: (event: HostEvent) => void): () => void;
};

/** The server the desktop app uses until the user sets another in Settings. */
export const DEFAULT_SERVER_URL = 'ws://localhost:8080/ws';

/**
 * The message that carries a call's frame-key port from the host to the renderer: the preload
 * posts `{ type: KEY_PORT_MESSAGE, callId }` to the window with the port transferred.
 */
export const KEY_PORT_MESSAGE = 'softphone:key-port';

/** Frame keys for one call, sent by the host on the key port (never through React or logs). */
export const FrameKeysMessage = z.object({
  type: z.literal('frame-keys'),
  callId: CallId,
  /** 0 for the caller, 1 for the callee: the sender bit in every SFrame KID. */
  localSender: z.union([z.literal(0), z.literal(1)]),
  sendBaseKey: z.instanceof(Uint8Array),
  receiveBaseKey: z.instanceof(Uint8Array),
});
export type FrameKeysMessage = z.infer<typeof FrameKeysMessage>;
