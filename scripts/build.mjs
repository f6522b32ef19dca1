// Builds everything: the renderer (Vite → dist/renderer, served by the server and loaded by
// Electron), the server (esbuild → dist/server/index.js) and Electron main + preload.
import { build as viteBuild } from 'vite';
import { buildServer } from './build-server.mjs';

const only = process.argv[2];

if (!only || only === 'renderer') {
  await viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn' });
  console.log('built dist/renderer');
}

if (!only || only === 'server') {
  await buildServer();
  console.log('built dist/server');
}

if (!only || only === 'electron') {
  await import('./build-electron.mjs');
}
