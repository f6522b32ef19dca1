// Screen sharing in the desktop app, main's side. The renderer's picker shows the screens and
// windows main lists (desktopCapturer); the user's pick comes back by id, and main gives exactly
// that source to the page's next getDisplayMedia — only during a call, only to the app's main
// frame, only within a few seconds of the pick, and only once. Anything else is denied.
import type { ScreenSource } from '../shared/bridge';
import { isAppUrl } from '../shared/desktop/appOrigin';

/** A pick is good for this long: the page asks for the capture right after it. */
export const SCREEN_CHOICE_TTL_MS = 10_000;

/** What main needs of a desktopCapturer source. */
export interface CapturableSource {
  id: string;
  name: string;
}

export interface ScreenSharePorts<S extends CapturableSource> {
  /** desktopCapturer.getSources for screens and windows. */
  list(): Promise<S[]>;
  /** The source's thumbnail as a PNG data: URL. */
  thumbnail(source: S): string;
  /** A call is prepared or active on this device (media may be captured). */
  callActive(): boolean;
  now(): number;
}

/** What the display-media request handler is told about the request. */
export interface DisplayMediaRequest {
  frame: { url: string; parent: unknown } | null;
  videoRequested: boolean;
}

const MAX_NAME_LENGTH = 300;

export class ScreenSharePicker<S extends CapturableSource> {
  /** The sources of the last list, by id: the only ones the user may pick. */
  private listed = new Map<string, S>();
  private choice: { source: S; at: number } | null = null;

  constructor(private readonly ports: ScreenSharePorts<S>) {}

  /** The screens and windows to offer now. Refused outside a call. */
  async sources(): Promise<ScreenSource[]> {
    if (!this.ports.callActive()) throw new Error('The screen can be shared only during a call.');
    const sources = await this.ports.list();
    this.listed = new Map(sources.map((source) => [source.id, source]));
    this.choice = null;
    return sources.map((source) => ({
      id: source.id,
      name: source.name.slice(0, MAX_NAME_LENGTH),
      kind: source.id.startsWith('screen:') ? 'screen' : 'window',
      thumbnail: this.thumbnailOf(source),
    }));
  }

  /** The user picked `id` from the last list. */
  choose(id: string): void {
    if (!this.ports.callActive()) throw new Error('The screen can be shared only during a call.');
    const source = this.listed.get(id);
    if (!source) throw new Error('That screen or window was not offered: open the picker again.');
    this.listed.clear();
    this.choice = { source, at: this.ports.now() };
  }

  /** Whether a pick is waiting for its capture: the `display-capture` permission follows it. */
  chosen(): boolean {
    return this.choice !== null && this.ports.now() - this.choice.at <= SCREEN_CHOICE_TTL_MS && this.ports.callActive();
  }

  /**
   * The source for a getDisplayMedia request, or null to deny it: the user's pick, given once, to
   * the app's main frame asking for video.
   */
  take(request: DisplayMediaRequest): S | null {
    const pick = this.chosen() ? (this.choice?.source ?? null) : null;
    this.choice = null;
    if (!pick || !request.videoRequested || !request.frame || request.frame.parent !== null || !isAppUrl(request.frame.url)) return null;
    return pick;
  }

  /** The call ended: nothing listed or picked survives it. */
  forget(): void {
    this.listed.clear();
    this.choice = null;
  }

  private thumbnailOf(source: S): string {
    const url = this.ports.thumbnail(source);
    // An empty or odd thumbnail shows as none rather than failing the whole list.
    return /^data:image\/png;base64,[A-Za-z0-9+/=]*$/.test(url) && url.length <= 1_000_000 ? url : '';
  }
}
