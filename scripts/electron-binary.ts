// Finds the Electron binary the way node_modules/electron/index.js does, but without requiring it:
// that module downloads the binary when it is missing, and the release host cannot be reached
// here. Returns why there is none instead, so the tests can say so and skip.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ELECTRON_PACKAGE = fileURLToPath(new URL('../node_modules/electron', import.meta.url));

/** The executable's path inside an Electron distribution folder, per platform (Electron's install.js). */
function defaultExecutable(): string {
  if (process.platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (process.platform === 'win32') return 'electron.exe';
  return 'electron';
}

export function findElectronBinary(env: NodeJS.ProcessEnv = process.env): { path: string } | { missing: string } {
  const pathFile = join(ELECTRON_PACKAGE, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  let path: string;
  if (override) {
    path = join(override, executable ?? defaultExecutable());
  } else if (executable) {
    path = join(ELECTRON_PACKAGE, 'dist', executable);
  } else {
    return { missing: 'node_modules/electron/path.txt does not exist (the binary was never downloaded) and ELECTRON_OVERRIDE_DIST_PATH is unset' };
  }
  return existsSync(path) ? { path } : { missing: `${path} does not exist` };
}
