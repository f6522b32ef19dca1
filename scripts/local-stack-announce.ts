// What the one-machine demo prints once the server is up: one URL (the web client's, as README
// gives it) and, when the desktop app cannot start, how to get the Electron binary.
import type { findElectronBinary } from './electron-binary';

/** The server's own start line, which names its listening address; the demo prints its URL instead. */
export const SERVER_URL_LINE = 'Softphone web client:';

export function webClientUrl(port: string): string {
  return `http://localhost:${port}/`;
}

export function announcement(port: string, electron: ReturnType<typeof findElectronBinary>): string[] {
  return [
    `\nOpen ${webClientUrl(port)} in Chromium or Chrome — two browser profiles can call each other.`,
    'path' in electron
      ? 'Starting the desktop app…'
      : `The desktop app is not started: the Electron binary is missing (${electron.missing}). Get it with \`npx install-electron\`, or a normal \`npm ci\` on a machine that can reach Electron's release downloads.`,
    'Press Ctrl-C to stop the server and Janus.',
  ];
}

/** The server's output with its own URL line left out (it is announced once, above). */
export function withoutServerUrl(output: string): string {
  return output
    .split(/(?<=\n)/)
    .filter((line) => !line.startsWith(SERVER_URL_LINE))
    .join('');
}
