// The parts of janode 1.8 (Meetecho's Node client for Janus, shipped without types) that the
// gateway and its tests use. Read from node_modules/janode/src: janode.js, connection.js,
// session.js, handle.js and plugins/videoroom-plugin.js.

declare module 'janode' {
  import type { EventEmitter } from 'node:events';

  export interface JanodeServerAddress {
    url: string;
    apisecret?: string;
  }

  export interface JanodeConfiguration {
    address: JanodeServerAddress | JanodeServerAddress[];
    /** Seconds between connection attempts (default 10). */
    retry_time_secs?: number;
    /** Attempts after the first one before giving up (default 5). */
    max_retries?: number;
    is_admin?: boolean;
    ws_options?: { handshakeTimeout?: number };
  }

  /** A WebRTC ICE candidate as Janus takes it; `{ completed: true }` ends the candidates. */
  export interface JanusTrickleCandidate {
    candidate?: string;
    sdpMid?: string | null;
    sdpMLineIndex?: number | null;
    completed?: true;
  }

  export interface JanusJsep {
    type: 'offer' | 'answer';
    sdp: string;
    e2ee?: boolean;
  }

  /** Names of the events janode's connections, sessions and handles emit. */
  export interface JanodeEventNames {
    readonly CONNECTION_CLOSED: 'connection_closed';
    readonly CONNECTION_ERROR: 'connection_error';
    readonly SESSION_DESTROYED: 'session_destroyed';
    readonly HANDLE_DETACHED: 'handle_detached';
    readonly HANDLE_ICE_FAILED: 'handle_ice_failed';
    readonly HANDLE_HANGUP: 'handle_hangup';
    readonly HANDLE_MEDIA: 'handle_media';
    readonly HANDLE_WEBRTCUP: 'handle_webrtcup';
    readonly HANDLE_SLOWLINK: 'handle_slowlink';
    readonly HANDLE_TRICKLE: 'handle_trickle';
  }

  export interface HandleHangupEvent {
    reason?: string;
  }

  export interface HandleMediaEvent {
    type?: 'audio' | 'video';
    receiving?: boolean;
    mid?: string;
    seconds?: number;
  }

  /** Errors janode rejects with: the message starts with Janus's numeric code. */
  export interface JanodeError extends Error {
    /** Set for plugin (VideoRoom) errors. */
    _code?: number;
  }

  export class JanodeHandle extends EventEmitter {
    readonly id: number;
    readonly session: JanodeSession;
    trickle(candidate: JanusTrickleCandidate | null): Promise<unknown>;
    trickleComplete(): Promise<unknown>;
    hangup(): Promise<unknown>;
    /** Resolves also when Janus refuses (janode only logs that); rejects if already detached. */
    detach(): Promise<void>;
    message(body: Record<string, unknown>, jsep?: JanusJsep): Promise<unknown>;
  }

  export interface JanodePluginDescriptor<H extends JanodeHandle> {
    id: string;
    Handle: new (session: JanodeSession, id: number) => H;
    EVENT: Readonly<Record<string, string>>;
  }

  export class JanodeSession extends EventEmitter {
    readonly id: number;
    attach<H extends JanodeHandle>(descriptor: JanodePluginDescriptor<H>): Promise<H>;
    destroy(): Promise<void>;
  }

  export class JanodeConnection extends EventEmitter {
    readonly id: number;
    /** Creates a Janus session kept alive every `keepAliveSeconds` (default 30). */
    create(keepAliveSeconds?: number): Promise<JanodeSession>;
    close(): Promise<void>;
  }

  const Janode: {
    connect(config: JanodeConfiguration): Promise<JanodeConnection>;
    Logger: { setLevel(level: 'debug' | 'verb' | 'info' | 'warn' | 'error' | 'none'): string };
    EVENT: JanodeEventNames;
  };
  export default Janode;
}

declare module 'janode/plugins/videoroom' {
  import type { JanodeHandle, JanodePluginDescriptor, JanusJsep } from 'janode';

  export type RoomId = string | number;
  export type FeedId = string | number;

  export interface VideoRoomCreateRequest {
    room?: RoomId;
    description?: string;
    /** Sent to Janus as `publishers`. */
    max_publishers?: number;
    permanent?: boolean;
    is_private?: boolean;
    secret?: string;
    pin?: string;
    admin_key?: string;
    bitrate?: number;
    fir_freq?: number;
    audiocodec?: string;
    videocodec?: string;
    require_pvtid?: boolean;
    notify_joining?: boolean;
    require_e2ee?: boolean;
    record?: boolean;
    rec_dir?: string;
  }

  /** One room as Janus's `list` describes it (private rooms only with the admin key). */
  export interface VideoRoomDescription {
    room: RoomId;
    description: string;
    is_private: boolean;
    max_publishers: number;
    bitrate: number;
    fir_freq: number;
    require_e2ee: boolean;
    audiocodec: string;
    videocodec: string;
    record: boolean;
    rec_dir?: string;
    num_participants: number;
  }

  export interface VideoRoomPublisherJoined {
    room: RoomId;
    feed: FeedId;
    jsep?: JanusJsep;
    e2ee?: boolean;
  }

  export interface VideoRoomSubscriberJoined {
    room: RoomId;
    feed?: FeedId;
    jsep?: JanusJsep;
  }

  export class VideoRoomHandle extends JanodeHandle {
    create(request: VideoRoomCreateRequest): Promise<{ room: RoomId; permanent: boolean }>;
    destroy(request: { room: RoomId; secret?: string; permanent?: boolean }): Promise<{ room: RoomId }>;
    exists(request: { room: RoomId }): Promise<{ room: RoomId; exists: boolean }>;
    list(request?: { admin_key?: string }): Promise<{ list: VideoRoomDescription[] }>;
    /** `e2ee` is copied onto the JSEP (janode mutates the object it is given). */
    joinConfigurePublisher(request: { room: RoomId; feed?: FeedId; display?: string; e2ee?: boolean; jsep: JanusJsep }): Promise<VideoRoomPublisherJoined>;
    configure(request: { record?: boolean; filename?: string; e2ee?: boolean; jsep?: JanusJsep }): Promise<{ configured: string }>;
    joinSubscriber(request: { room: RoomId; streams: { feed: FeedId; mid?: string }[] }): Promise<VideoRoomSubscriberJoined>;
    start(request: { jsep: JanusJsep; e2ee?: boolean }): Promise<{ started: string }>;
  }

  const VideoRoomPlugin: JanodePluginDescriptor<VideoRoomHandle>;
  export default VideoRoomPlugin;
}
