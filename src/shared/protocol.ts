// The signaling protocol between clients and the server, as zod schemas. Every message on the
// WebSocket is one JSON object with `v` (protocol version) and `type`. A client request may carry
// an `id`; the server's answer to it carries the same number as `re`. Both sides parse every
// message they receive with these schemas and drop what does not parse, with an error reply.
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
/** Largest WebSocket message either side accepts (an SDP with video is about 6 KB). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const v = z.literal(PROTOCOL_VERSION);
const requestId = z
  .number()
  .int()
  .nonnegative()
  .max(2 ** 31);

/** What a handle may be, in words: the hint the forms show and the heart of the schema's message. */
export const HANDLE_RULE = '3–32 characters: a–z, 0–9, ".", "_" or "-", starting and ending with a letter or digit';

export const Handle = z.string().regex(/^[a-z0-9](?:[a-z0-9._-]{1,30})[a-z0-9]$/, `a handle is ${HANDLE_RULE}`);
export type Handle = z.infer<typeof Handle>;

/**
 * `length` bytes as unpadded base64url: exactly ceil(4 × length / 3) characters of A–Z, a–z, 0–9,
 * "-" and "_". `what` names the field in the error ("a nonce" → "a nonce must be 32 bytes of base64url").
 */
export function base64UrlBytes(length: number, what: string): z.ZodString {
  return z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((length * 4) / 3)}}$`), `${what} must be ${length} bytes of base64url`);
}

/** An Ed25519 public key, 32 bytes as unpadded base64url. */
export const PublicKey = base64UrlBytes(32, 'a public key');
export type PublicKey = z.infer<typeof PublicKey>;
/** An Ed25519 signature, 64 bytes as unpadded base64url. */
export const Signature = base64UrlBytes(64, 'a signature');
export const Nonce = base64UrlBytes(32, 'a nonce');
/** 16 random bytes. */
export const CallId = base64UrlBytes(16, 'a call id');
export type CallId = z.infer<typeof CallId>;
/**
 * A server's web origin as a client dialled it (http://host:port or https://host), the way
 * `serverOriginOf` writes it: lower-case scheme and host, no default port, no path.
 */
export const ServerOrigin = z
  .string()
  .max(300)
  .regex(/^https?:\/\/[a-z0-9.\-[\]:]+$/, 'an origin is http:// or https:// and a host, with an optional port');
export type ServerOrigin = z.infer<typeof ServerOrigin>;
/**
 * One end-to-end handshake message, relayed between the endpoints unread: its number in the call
 * and its opaque bytes (base64url, at most 1.6 KB decoded: the hybrid handshake's longest message,
 * an X25519 key and an ML-KEM-768 public key, is 1,216 bytes). The host bridge passes the same shape.
 */
export const HandshakeMessage = z.object({
  seq: z.number().int().min(0).max(7),
  payload: z.string().regex(/^[A-Za-z0-9_-]{1,2200}$/),
});
export type HandshakeMessage = z.infer<typeof HandshakeMessage>;

export const CallRole = z.enum(['caller', 'callee']);
export type CallRole = z.infer<typeof CallRole>;

/**
 * One side's end-to-end encryption setting for one call, signed by its identity key (see
 * shared/e2ee/decision.ts for the signed bytes). The peer checks it; the server only reads it.
 */
export const E2eeDecision = z.object({
  e2ee: z.boolean(),
  role: CallRole,
  /**
   * The end-to-end handshake suite the signer runs, e.g. "Noise_XXhfs_25519+MLKEM768_AESGCM_SHA256".
   * Any such name passes here, so that a peer that runs another suite is told so, not dropped.
   */
  handshake: z.string().regex(/^[A-Za-z0-9_+]{1,64}$/),
  /** When the signer signed it, in ms since the epoch: a callee rings only for a recent invite. */
  issuedAt: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  signature: Signature,
});
export type E2eeDecision = z.infer<typeof E2eeDecision>;

export const Jsep = z.object({
  type: z.enum(['offer', 'answer']),
  sdp: z
    .string()
    .min(1)
    .max(48 * 1024),
});
export type Jsep = z.infer<typeof Jsep>;

export const IceCandidate = z.object({
  candidate: z.string().max(1024),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().nonnegative().max(64).nullable().optional(),
});
export type IceCandidate = z.infer<typeof IceCandidate>;

/** Which of a client's two peer connections a candidate belongs to. */
export const MediaLeg = z.enum(['publisher', 'subscriber']);
export type MediaLeg = z.infer<typeof MediaLeg>;

export const PresenceStatus = z.enum(['available', 'busy', 'dnd', 'offline']);
export type PresenceStatus = z.infer<typeof PresenceStatus>;

export const EndReason = z.enum([
  'hangup', // a party hung up an established call
  'declined', // the callee declined
  'busy', // the callee was in another call
  'dnd', // the callee has do-not-disturb on
  'no-answer', // nobody answered before the ringing timeout
  'cancelled', // the caller gave up before an answer
  'offline', // the callee is not connected
  'unknown-user', // no account has that handle
  'disconnected', // a party's connection was lost and did not come back in time
  'failed', // media or server failure
  'e2ee-failed', // the end-to-end encryption handshake or its verification failed
  'server-shutdown', // the signaling server is stopping (e.g. for a restart)
]);
export type EndReason = z.infer<typeof EndReason>;

export const ErrorCode = z.enum([
  'bad-message', // did not parse against the protocol
  'unsupported-version',
  'not-authenticated',
  'bad-signature',
  'bad-key', // the public key is not one an account can have (small order, not canonical)
  'unknown-account',
  'handle-taken',
  'key-registered', // the public key already has an account under another handle
  'no-such-call',
  'not-allowed', // the request is not valid for this user or call state
  'rate-limited',
  'media-failed',
  'end-to-end-encrypted', // refused because the call is end-to-end encrypted (recording, transcription)
  'unavailable', // the server cannot do it now (not set up, engine missing, disk full)
  'no-such-recording', // no recording with that id that this user took part in
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

// ---- recording and transcription (calls that are not end-to-end encrypted) ---------------------

export const CaptureKind = z.enum(['recording', 'transcription']);
export type CaptureKind = z.infer<typeof CaptureKind>;

/** 16 random bytes. */
export const RecordingId = base64UrlBytes(16, 'a recording id');
export type RecordingId = z.infer<typeof RecordingId>;

/** The files a recording can have: each speaker's audio, both mixed, and the transcript. */
export const RecordingFile = z.enum(['mixed.wav', 'caller.wav', 'callee.wav', 'transcript.txt', 'transcript.json']);
export type RecordingFile = z.infer<typeof RecordingFile>;

/** One stretch of one speaker's speech, in ms from the start of the recording. */
export const TranscriptSegment = z.object({
  speaker: Handle,
  role: CallRole,
  startMs: z.number().int().nonnegative(),
  endMs: z.number().int().nonnegative(),
  text: z.string().max(4000),
});
export type TranscriptSegment = z.infer<typeof TranscriptSegment>;

export const RecordingSummary = z.object({
  id: RecordingId,
  callId: CallId,
  /** When the recording started, in ms since the epoch. */
  createdAt: z.number().int().nonnegative(),
  durationMs: z.number().int().nonnegative(),
  participants: z.object({ caller: Handle, callee: Handle }),
  status: z.enum(['processing', 'ready', 'failed']),
  /** What went wrong, for a failed recording or one whose transcript could not be made. */
  problem: z.string().max(500).nullable(),
  files: z.array(RecordingFile).max(RecordingFile.options.length),
});
export type RecordingSummary = z.infer<typeof RecordingSummary>;

/** The most recordings one `recordings.list.result` carries (the newest first; it fits one message). */
export const MAX_LISTED_RECORDINGS = 100;

// ---- client → server -------------------------------------------------------------------------

const clientBase = { v, id: requestId.optional() };

export const ClientMessage = z.discriminatedUnion('type', [
  /** Creates an account for this key under `handle`, proving possession of the key. */
  z.object({ ...clientBase, type: z.literal('register'), handle: Handle, publicKey: PublicKey, origin: ServerOrigin, signature: Signature }),
  /**
   * Logs in to the account of this key. `origin` is the server as the client dialled it; the
   * signature covers it (see `loginChallengeBytes`), and the server accepts only its own.
   */
  z.object({ ...clientBase, type: z.literal('login'), publicKey: PublicKey, origin: ServerOrigin, signature: Signature }),
  /** Resolves a handle to its identity public key (to dial it and pin it). */
  z.object({ ...clientBase, type: z.literal('lookup'), handle: Handle }),
  /** Subscribes to the presence of these handles (replaces the previous list). */
  z.object({ ...clientBase, type: z.literal('presence.watch'), handles: z.array(Handle).max(500) }),
  /** Sets this user's own availability. */
  z.object({ ...clientBase, type: z.literal('presence.set'), status: z.enum(['available', 'dnd']) }),
  z.object({
    ...clientBase,
    type: z.literal('call.invite'),
    callId: CallId,
    to: Handle,
    video: z.boolean(),
    decision: E2eeDecision,
  }),
  z.object({ ...clientBase, type: z.literal('call.accept'), callId: CallId, decision: E2eeDecision }),
  z.object({ ...clientBase, type: z.literal('call.decline'), callId: CallId }),
  z.object({ ...clientBase, type: z.literal('call.cancel'), callId: CallId }),
  z.object({ ...clientBase, type: z.literal('call.hangup'), callId: CallId }),
  /**
   * Ends the call because this endpoint cannot go on: it could not establish or verify end-to-end
   * encryption, or its media failed (no microphone, the media connection was lost).
   */
  z.object({ ...clientBase, type: z.literal('call.fail'), callId: CallId, reason: z.enum(['e2ee-failed', 'failed']) }),
  /** Publishes this endpoint's media: the answer comes back as `media.answer`. */
  z.object({
    ...clientBase,
    type: z.literal('media.publish'),
    callId: CallId,
    jsep: Jsep,
    e2ee: z.boolean(),
  }),
  /** The answer to the server's `media.subscribe-offer`. */
  z.object({ ...clientBase, type: z.literal('media.subscribe-answer'), callId: CallId, jsep: Jsep }),
  z.object({
    ...clientBase,
    type: z.literal('media.trickle'),
    callId: CallId,
    leg: MediaLeg,
    candidate: IceCandidate.nullable(),
  }),
  /** Relays one end-to-end handshake message to the peer, unread. */
  z.object({ ...clientBase, type: z.literal('e2ee.handshake'), callId: CallId, ...HandshakeMessage.shape }),
  /** Puts the call on hold (this side sends and plays nothing) or resumes it; the peer is told. */
  z.object({ ...clientBase, type: z.literal('call.hold'), callId: CallId, onHold: z.boolean() }),
  /**
   * Starts or stops recording / transcribing the call (refused when it is end-to-end encrypted). A
   * start carries the capture statement the requester's host signed when its recording policy
   * allowed it (shared/recordingPolicy.ts); the server refuses a start without one that verifies.
   */
  z.object({ ...clientBase, type: z.literal('recording.start'), callId: CallId, statement: Signature }),
  z.object({ ...clientBase, type: z.literal('recording.stop'), callId: CallId }),
  z.object({ ...clientBase, type: z.literal('transcription.start'), callId: CallId, statement: Signature }),
  z.object({ ...clientBase, type: z.literal('transcription.stop'), callId: CallId }),
  /** The recordings of calls this user took part in: answered with `recordings.list.result`. */
  z.object({ ...clientBase, type: z.literal('recordings.list') }),
  /** A short-lived download address for one file of a recording: answered with `recording.link.result`. */
  z.object({ ...clientBase, type: z.literal('recording.link'), recordingId: RecordingId, file: RecordingFile }),
  z.object({ ...clientBase, type: z.literal('ping') }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type ClientMessageType = ClientMessage['type'];

// ---- server → client -------------------------------------------------------------------------

const serverBase = { v, re: requestId.optional() };

export const ServerMessage = z.discriminatedUnion('type', [
  /** Sent first on every connection: sign it to log in or register. */
  z.object({ ...serverBase, type: z.literal('challenge'), nonce: Nonce }),
  /**
   * Logged in. `activeCallId` names the call this user is still in after a reconnect (the call
   * survived the lost connection), or null.
   */
  z.object({ ...serverBase, type: z.literal('session'), handle: Handle, publicKey: PublicKey, activeCallId: CallId.nullable() }),
  z.object({ ...serverBase, type: z.literal('error'), code: ErrorCode, message: z.string().max(500) }),
  z.object({ ...serverBase, type: z.literal('ok') }),
  z.object({ ...serverBase, type: z.literal('lookup.result'), handle: Handle, publicKey: PublicKey.nullable() }),
  z.object({ ...serverBase, type: z.literal('presence'), handle: Handle, status: PresenceStatus }),
  /** To the callee: someone is calling. */
  z.object({
    ...serverBase,
    type: z.literal('call.incoming'),
    callId: CallId,
    from: Handle,
    fromKey: PublicKey,
    video: z.boolean(),
    decision: E2eeDecision,
  }),
  /** To the caller: the callee's device is ringing. */
  z.object({ ...serverBase, type: z.literal('call.ringing'), callId: CallId }),
  /**
   * To both parties: the callee accepted and the call's media room is ready. `roomE2ee` is the
   * server's reading of the two decisions; each endpoint checks the signed decisions itself.
   */
  z.object({
    ...serverBase,
    type: z.literal('call.accepted'),
    callId: CallId,
    decision: E2eeDecision,
    roomE2ee: z.boolean(),
  }),
  /** To both parties: media flows both ways through the media server. */
  z.object({ ...serverBase, type: z.literal('call.active'), callId: CallId }),
  z.object({ ...serverBase, type: z.literal('call.ended'), callId: CallId, reason: EndReason, by: Handle.optional() }),
  z.object({ ...serverBase, type: z.literal('media.answer'), callId: CallId, jsep: Jsep }),
  /** The peer's media is published: answer this offer to receive it. */
  z.object({ ...serverBase, type: z.literal('media.subscribe-offer'), callId: CallId, jsep: Jsep }),
  z.object({ ...serverBase, type: z.literal('e2ee.handshake'), callId: CallId, ...HandshakeMessage.shape }),
  /** To the other party: the call was put on hold, or resumed, by `by`. */
  z.object({ ...serverBase, type: z.literal('call.hold'), callId: CallId, onHold: z.boolean(), by: Handle }),
  /**
   * To a callee who was not rung: a call it missed because it had do-not-disturb on or was in
   * another call (for its call history). The caller got `call.ended` with the same reason.
   */
  z.object({ ...serverBase, type: z.literal('call.missed'), callId: CallId, from: Handle, video: z.boolean(), reason: z.enum(['dnd', 'busy']) }),
  /**
   * To both parties whenever either changes it: whether the call is being recorded and transcribed
   * now, and who made the last change.
   */
  z.object({ ...serverBase, type: z.literal('call.capture'), callId: CallId, recording: z.boolean(), transcribing: z.boolean(), by: Handle }),
  /** To both parties: one transcribed stretch of speech, as soon as it is ready. */
  z.object({ ...serverBase, type: z.literal('transcript.segment'), callId: CallId, recordingId: RecordingId, ...TranscriptSegment.shape }),
  /** To both parties: a recording (or transcript) is processed and can be downloaded. */
  z.object({ ...serverBase, type: z.literal('recording.ready'), callId: CallId, recording: RecordingSummary }),
  /** To both parties: recording or transcription failed; the call goes on. */
  z.object({ ...serverBase, type: z.literal('capture.failed'), callId: CallId, kind: CaptureKind, message: z.string().max(500) }),
  z.object({ ...serverBase, type: z.literal('recordings.list.result'), recordings: z.array(RecordingSummary).max(MAX_LISTED_RECORDINGS) }),
  z.object({
    ...serverBase,
    type: z.literal('recording.link.result'),
    recordingId: RecordingId,
    file: RecordingFile,
    /** Server-relative, e.g. `/api/recordings/<id>/mixed.wav?token=…`; valid until `expiresAt`. */
    path: z.string().regex(/^\/api\/recordings\/[A-Za-z0-9_-]{22}\/[a-z.]{1,20}\?token=[A-Za-z0-9_-]{43}$/),
    expiresAt: z.number().int().nonnegative(),
  }),
  z.object({ ...serverBase, type: z.literal('pong') }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
export type ServerMessageType = ServerMessage['type'];

/** Distributes over the union so each member keeps its own fields. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A message as a sender writes it; `v` is filled in by the sender's transport. */
export type ClientMessageBody = DistributiveOmit<ClientMessage, 'v'>;
export type ServerMessageBody = DistributiveOmit<ServerMessage, 'v'>;

export type ParseResult<T> = { ok: true; message: T } | { ok: false; code: 'bad-message' | 'unsupported-version'; error: string };

/** The deepest nesting of arrays and objects a message may have; the protocol's own go a few levels deep. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether `text` nests arrays or objects deeper than `limit` (brackets inside strings do not count).
 * A linear scan run before JSON.parse: parsing a tower of 30,000 brackets costs JSON.parse tens of
 * milliseconds, and a client sending such frames at its allowed rate would stall the server.
 */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c)
        i++; // a backslash escapes the next character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      if (++depth > limit) return true;
    } else if (char === 0x5d || char === 0x7d) depth--;
  }
  return false;
}

function parseWith<T>(schema: z.ZodType<T>, raw: string | ArrayBuffer | Uint8Array): ParseResult<T> {
  const text = typeof raw === 'string' ? raw : new TextDecoder().decode(raw);
  if (text.length > MAX_MESSAGE_BYTES) return { ok: false, code: 'bad-message', error: 'message too large' };
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return { ok: false, code: 'bad-message', error: `nested deeper than ${MAX_JSON_DEPTH} levels` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad-message', error: 'not JSON' };
  }
  if (typeof json === 'object' && json !== null && 'v' in json && json.v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      code: 'unsupported-version',
      error: `unsupported protocol version ${quoteValue(json.v)} (this side speaks ${PROTOCOL_VERSION})`,
    };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const error = issue
      ? `${
          issue.path
            .slice(0, 8)
            .map((key) => quoteKey(key))
            .join('.') || 'message'
        }: ${issue.message}`
      : 'invalid message';
    return { ok: false, code: 'bad-message', error: error.slice(0, MAX_ERROR_QUOTE * 4) };
  }
  return { ok: true, message: result.data };
}

/** The most characters of a peer's own value an error message repeats back. */
export const MAX_ERROR_QUOTE = 40;

/**
 * A short description of a value a peer sent, for an error message: a number or string is quoted
 * up to MAX_ERROR_QUOTE characters, anything else is named by its type. It never walks into the
 * value (a deeply nested array must not recurse) or repeats it at length.
 */
export function quoteValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return clip(String(value));
  if (typeof value === 'string') return JSON.stringify(clip(value));
  return Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
}

function quoteKey(key: PropertyKey): string {
  return typeof key === 'symbol' ? '?' : clip(String(key));
}

function clip(text: string): string {
  return text.length > MAX_ERROR_QUOTE ? `${text.slice(0, MAX_ERROR_QUOTE)}…` : text;
}

export function parseClientMessage(raw: string | ArrayBuffer | Uint8Array): ParseResult<ClientMessage> {
  return parseWith(ClientMessage, raw);
}

export function parseServerMessage(raw: string | ArrayBuffer | Uint8Array): ParseResult<ServerMessage> {
  return parseWith(ServerMessage, raw);
}

/**
 * The bytes a client signs to log in or register: domain-separated, bound to the challenge and to
 * the server's origin as the client dialled it, so that a server cannot pass another server's
 * challenge to its users and log in there with their answer.
 */
export function loginChallengeBytes(origin: string, nonce: string): Uint8Array {
  return new TextEncoder().encode(`softphone/login/v2\n${origin}\n${nonce}`);
}

/**
 * The web origin of a signaling server's address: ws://h:p/ws → http://h:p, wss://h/ws → https://h
 * (scheme and host lower-cased, the default port dropped). Throws for an address that is not ws://,
 * wss://, http:// or https://.
 */
export function serverOriginOf(address: string): ServerOrigin {
  const url = new URL(address);
  const schemes: Record<string, string> = { 'ws:': 'http:', 'wss:': 'https:', 'http:': 'http:', 'https:': 'https:' };
  const scheme = schemes[url.protocol];
  if (!scheme || !url.host) throw new Error('a server address is ws://, wss://, http:// or https:// and a host');
  return new URL(`${scheme}//${url.host}`).origin;
}
