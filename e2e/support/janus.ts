// What end-to-end tests need to reach the testbed's Janus: its details from the environment that
// scripts/testbed.ts sets, and a direct janode connection to look at rooms from outside the
// gateway (Janus's own view) or to act as a client the gateway would never be.
import Janode from 'janode';
import type { JanodeConnection, JanodeSession, JanusJsep } from 'janode';
import VideoRoomPlugin from 'janode/plugins/videoroom';
import type { VideoRoomDescription, VideoRoomHandle } from 'janode/plugins/videoroom';
import type { IceCandidate, Jsep } from '../../src/shared/protocol';

export interface TestbedJanus {
  readonly url: string;
  readonly apiSecret: string;
  readonly adminKey: string;
  readonly recordingsDir: string;
}

/** The testbed's Janus, or why there is none (tests print it and skip). */
export function testbedJanus(): TestbedJanus | { skipReason: string } {
  const { JANUS_WS_URL: url, JANUS_API_SECRET: apiSecret, JANUS_ADMIN_KEY: adminKey, JANUS_RECORDINGS_DIR: recordingsDir } = process.env;
  if (!url) return { skipReason: 'JANUS_WS_URL is unset: run through `npx tsx scripts/testbed.ts run -- ...`' };
  if (!apiSecret || !adminKey || !recordingsDir)
    return { skipReason: 'JANUS_WS_URL is set but JANUS_API_SECRET, JANUS_ADMIN_KEY or JANUS_RECORDINGS_DIR is not' };
  return { url, apiSecret, adminKey, recordingsDir };
}

export interface OutsiderSubscription {
  readonly offer: Jsep;
  complete(answer: Jsep, candidates: readonly (IceCandidate | null)[]): Promise<void>;
  leave(): Promise<void>;
}

/** A plain janode client of the testbed's Janus, beside the gateway. */
export class JanusProbe {
  private constructor(
    private readonly connection: JanodeConnection,
    private readonly session: JanodeSession,
    private readonly handle: VideoRoomHandle,
    private readonly janus: TestbedJanus,
  ) {}

  static async connect(janus: TestbedJanus): Promise<JanusProbe> {
    Janode.Logger.setLevel('none');
    const connection = await Janode.connect({ address: { url: janus.url, apisecret: janus.apiSecret }, max_retries: 0 });
    const session = await connection.create();
    const handle = await session.attach(VideoRoomPlugin);
    return new JanusProbe(connection, session, handle, janus);
  }

  /** The room as Janus lists it to the admin (private rooms are listed only then). */
  async describeRoom(room: string): Promise<VideoRoomDescription | undefined> {
    const { list } = await this.handle.list({ admin_key: this.janus.adminKey });
    return list.find((entry) => entry.room === room);
  }

  /** Every room Janus has, as the admin sees them (private ones included). */
  async listRooms(): Promise<VideoRoomDescription[]> {
    return (await this.handle.list({ admin_key: this.janus.adminKey })).list;
  }

  /**
   * Subscribes to `feed` in `room` as an outsider would who can talk to Janus (no keys, not a
   * party to the call). `complete` sends the answer and the answerer's candidates.
   */
  async subscribeAsOutsider(room: string, feed: string): Promise<OutsiderSubscription> {
    const subscriber = await this.session.attach(VideoRoomPlugin);
    const joined = await subscriber.joinSubscriber({ room, streams: [{ feed }] });
    if (!joined.jsep) throw new Error(`Janus sent no offer for feed ${feed}`);
    return {
      offer: { type: 'offer', sdp: joined.jsep.sdp },
      async complete(answer, candidates) {
        await subscriber.start({ jsep: { type: answer.type, sdp: answer.sdp } });
        for (const candidate of candidates) await subscriber.trickle(candidate);
      },
      leave: () => subscriber.detach().catch(() => undefined),
    };
  }

  async roomExists(room: string): Promise<boolean> {
    return (await this.handle.exists({ room })).exists;
  }

  /** Joins `room` as a publisher with `offer` and no e2ee flag on it; resolves with Janus's answer. */
  async publishWithoutE2ee(room: string, offer: JanusJsep): Promise<JanusJsep | undefined> {
    const publisher = await this.session.attach(VideoRoomPlugin);
    try {
      const joined = await publisher.joinConfigurePublisher({ room, feed: 'probe', jsep: { type: offer.type, sdp: offer.sdp } });
      return joined.jsep;
    } finally {
      await publisher.detach().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.handle.detach().catch(() => undefined);
    await this.session.destroy().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
