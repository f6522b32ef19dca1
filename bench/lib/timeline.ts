// A bench-side timeline of what a page does while a call is set up: signaling messages sent and
// received, getUserMedia, and each peer connection's offer/answer and connection state, stamped
// with the page's clock (performance.timeOrigin + performance.now(), comparable across pages on one
// machine). Installed as an init script, beside the one that records the page's peer connections.
import type { Page } from 'playwright-core';

export type Mark = [what: string, at: number];

declare global {
  interface Window {
    __benchMarks?: Mark[];
  }
}

/**
 * tsx compiles this file keeping function names, which wraps named functions in a `__name` helper
 * that pages do not have; functions sent to a page find it here.
 */
export async function installNameHelper(page: Page): Promise<void> {
  await page.addInitScript({ content: 'globalThis.__name ??= (target) => target;' });
}

export async function installTimeline(page: Page): Promise<void> {
  await installNameHelper(page);
  await page.addInitScript(() => {
    const marks: Mark[] = [];
    window.__benchMarks = marks;
    const mark = (what: string) => marks.push([what, performance.timeOrigin + performance.now()]);
    const typeOf = (data: unknown): string => {
      try {
        return String((JSON.parse(String(data)) as { type?: unknown }).type);
      } catch {
        return '?';
      }
    };
    const NativeSocket = window.WebSocket;
    window.WebSocket = class extends NativeSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        this.addEventListener('message', (event) => mark(`recv ${typeOf(event.data)}`));
      }
      override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
        mark(`send ${typeOf(data)}`);
        super.send(data);
      }
    };
    const devices = navigator.mediaDevices;
    const getUserMedia = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints) => {
      mark('getUserMedia start');
      const stream = await getUserMedia(constraints);
      mark('getUserMedia done');
      return stream;
    };
    const NativePeerConnection = window.RTCPeerConnection;
    let created = 0;
    window.RTCPeerConnection = class extends NativePeerConnection {
      constructor(config?: RTCConfiguration) {
        super(config);
        const name = `pc${++created}`;
        mark(`${name} created`);
        this.addEventListener('connectionstatechange', () => mark(`${name} ${this.connectionState}`));
      }
    } as typeof RTCPeerConnection;
  });
}

/** The marks since `since` (page clock), and forgets them. */
export async function takeMarks(page: Page): Promise<Mark[]> {
  return page.evaluate(() => (window.__benchMarks ?? []).splice(0));
}
