// The one-machine demo, run by scripts/start.sh inside `testbed.ts local` (which has started Janus
// on a private test host and put its address in the environment): starts the signaling server on
// localhost, prints the web client's URL, and opens the desktop app where its binary exists.
// Ctrl-C stops everything.
import { spawn, type ChildProcess } from 'node:child_process';
import { findElectronBinary } from './electron-binary';

const port = process.env.SOFTPHONE_PORT ?? '8080';
const children: ChildProcess[] = [];

function stopAll(code: number): never {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  process.exit(code);
}
process.on('SIGINT', () => stopAll(130));
process.on('SIGTERM', () => stopAll(143));

const server = spawn(process.execPath, ['dist/server/index.js', '--host', '127.0.0.1', '--port', port, '--data-dir', '.data'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
children.push(server);
server.on('exit', (code) => {
  console.error(`the server stopped (${code ?? 'signal'})`);
  stopAll(code ?? 1);
});

let announced = false;
server.stdout?.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  if (announced || !chunk.toString().includes('Softphone web client:')) return;
  announced = true;
  const url = `http://localhost:${port}/`;
  console.log(`\nOpen ${url} in Chromium or Chrome — two browser profiles can call each other.`);
  const electron = findElectronBinary();
  if ('path' in electron) {
    console.log('Starting the desktop app…');
    children.push(spawn(electron.path, ['.'], { stdio: 'inherit' }));
  } else {
    console.log(`The desktop app is not started: the Electron binary is missing (${electron.missing}).`);
  }
  console.log('Press Ctrl-C to stop the server and Janus.');
});
