// softphone:// links, registered with the OS by the installer: softphone://call/<handle> brings
// the window forward and has the app ask "Call <handle>?"; only the user's Call dials (a link on a
// web page or in a message must not open the microphone by itself).
import type { HostEvent } from '../shared/bridge';
import { Handle } from '../shared/protocol';

export const DEEP_LINK_SCHEME = 'softphone';

/** The host event a link asks for, or null for anything that is not a valid link. */
export function parseDeepLink(link: string): HostEvent | null {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:` || url.host !== 'call') return null;
  // Some systems append a slash to the link they pass on.
  const handle = Handle.safeParse(decodeURIComponentOrEmpty(url.pathname.replace(/^\/|\/$/g, '')));
  return handle.success ? { type: 'dial', handle: handle.data } : null;
}

/** The link among a process's arguments (Windows and Linux pass it on the command line). */
export function deepLinkInArguments(argv: readonly string[]): string | null {
  return argv.find((argument) => argument.startsWith(`${DEEP_LINK_SCHEME}:`)) ?? null;
}

function decodeURIComponentOrEmpty(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}
