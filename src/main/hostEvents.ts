// Host events (deep links, tray) for the renderer. An event that comes before the page can listen
// — a link that launched the app, say — waits until the page has loaded.
import { HostEvent } from '../shared/bridge';
import { HOST_EVENT_CHANNEL } from './ipcChannels';

/** The app window's web contents, as far as sending it events goes. */
export interface HostEventRecipient {
  send(channel: string, event: HostEvent): void;
  isLoading(): boolean;
  once(event: 'did-finish-load', listener: () => void): unknown;
}

export class HostEventOutbox {
  private recipient: HostEventRecipient | null = null;
  private readonly waiting: HostEvent[] = [];

  /** Sends to this window from now on, starting with anything that waited. */
  attach(recipient: HostEventRecipient): void {
    this.recipient = recipient;
    if (recipient.isLoading()) recipient.once('did-finish-load', () => this.flush());
    else this.flush();
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
