// The one-machine demo, run by scripts/start.sh inside `testbed.ts local` (which has started Janus
// on a private test host and put its address in the environment): starts the signaling server on
// localhost, prints the web client's URL, and opens the desktop app where its binary exists.
// The server is restarted if it exits on its own. Ctrl-C stops everything.
import { spawn, type ChildProcess } from 'node:child_process';
import { findElectronBinary } from './electron-binary';
import { announcement, SERVER_URL_LINE, withoutServerUrl } from './local-stack-announce';
import { supervise } from './supervise';

const port = process.env.SOFTPHONE_PORT ?? '8080';
const apps: ChildProcess[] = [];

// The server is started again if it ever exits on its own (a crash): up to 5 times in 10 minutes,
// waiting 1 s, then 2 s, 4 s… in between. Ctrl-C stops it and everything else for good.
const server = supervise({
  command: process.execPath,
  args: ['dist/server/index.js', '--host', '127.0.0.1', '--port', port, '--data-dir', '.data'],
  spawnOptions: { stdio: ['ignore', 'pipe', 'inherit'] },
  // 2: the server refused its configuration or data folder (its message says why).
  finalExitCodes: [2],
  onStart: (child, restarts) => {
    if (restarts > 0) console.error(`restarting the server (restart ${restarts})`);
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      process.stdout.write(withoutServerUrl(text));
      if (text.includes(SERVER_URL_LINE)) announce();
    });
  },
  onExit: (code, signal, willRestart) => console.error(`the server stopped unexpectedly (${code ?? signal})${willRestart ? '; starting it again' : ''}`),
  onGiveUp: (code) => {
    console.error(code === 2 ? 'the server cannot start (see above)' : 'the server keeps stopping: giving up (see its log above)');
    stopAll(code || 1);
  },
});

function stopAll(code: number): never {
  server.stop();
  for (const child of apps) if (child.exitCode === null) child.kill('SIGTERM');
  process.exit(code);
}
process.on('SIGINT', () => stopAll(130));
process.on('SIGTERM', () => stopAll(143));

let announced = false;
function announce(): void {
  if (announced) return;
  announced = true;
  const electron = findElectronBinary();
  for (const line of announcement(port, electron)) console.log(line);
  if ('path' in electron) apps.push(spawn(electron.path, ['.'], { stdio: 'inherit' }));
}
