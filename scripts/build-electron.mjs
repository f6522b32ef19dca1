// Builds the Electron side: main (dist/main/index.cjs) and the sandboxed preloads
// (dist/preload/index.cjs, and passphrase.cjs for main's passphrase window), each one CommonJS file with Electron left to the runtime, plus the
// tray icons main loads at run time (dist/assets). The renderer is built by Vite (dist/renderer).
// Run on its own (`node scripts/build-electron.mjs`) or from scripts/build.mjs.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // Electron 45 runs Node 22 in main; the preload's sandbox offers a small require() only for
  // electron and a few built-ins, which is why everything else is bundled in.
  target: 'node22',
  external: ['electron'],
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

await Promise.all([
  build({ ...common, entryPoints: ['src/main/index.ts'], outfile: 'dist/main/index.cjs' }),
  // The preload runs at every page load: minified (with its source map) to start quickly.
  build({ ...common, entryPoints: ['src/preload/index.ts'], outfile: 'dist/preload/index.cjs', minify: true }),
  // The preload of main's own passphrase window (identity export and import).
  build({ ...common, entryPoints: ['src/preload/passphrase.ts'], outfile: 'dist/preload/passphrase.cjs', minify: true }),
]);

// Every tray icon in assets/ (the TRAY table in src/main/desktopStatus.ts names them, with @2x twins).
await mkdir(join(root, 'dist', 'assets'), { recursive: true });
const trayIcons = (await readdir(join(root, 'assets'))).filter((name) => /^tray.*\.png$/.test(name));
for (const icon of trayIcons) {
  await copyFile(join(root, 'assets', icon), join(root, 'dist', 'assets', icon));
}
console.log('built dist/main, dist/preload and dist/assets');
