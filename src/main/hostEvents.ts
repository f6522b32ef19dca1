// Host events (deep links, tray) for the renderer. An event that comes before the page can listen
// — a link that launched the app, say, or one sent while the page reloads — waits until the page
// has (re)loaded.
import { HostEvent } from '../shared/bridge';
import { HOST_EVENT_CHANNEL } from '../shared/desktop/ipcChannels';

/** The app window's web contents, as far as sending it events goes. */
export interface HostEventRecipient {
  send(channel: string, event: HostEvent): void;
  isLoading(): boolean;
  on(event: 'did-finish-load', listener: () => void): unknown;
}

export class HostEventOutbox {
  private recipient: HostEventRecipient | null = null;
  private readonly waiting: HostEvent[] = [];

  /**
   * Sends to this window from now on, starting with anything that waited. Events sent while the
   * page loads (the first load or any reload later) go out when that load finishes.
   */
  attach(recipient: HostEventRecipient): void {
    this.recipient = recipient;
    recipient.on('did-finish-load', () => {
      if (this.recipient === recipient) this.flush();
    });
    if (!recipient.isLoading()) this.flush();
  }

  send(event: HostEvent): void {
    this.waiting.push(HostEvent.parse(event));
    if (this.recipient && !this.recipient.isLoading()) this.flush();
  }

  private flush(): void {
    const recipient = this.recipient;
    if (!recipient) return;
    for (const event of this.waiting.splice(0)) recipient.send(HOST_EVENT_CHANNEL, event);
  }
}
