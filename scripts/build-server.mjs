// Builds the signaling server into one ES module with its packages left external. Used by
// scripts/build.mjs (dist/server/index.js) and by the benchmarks' own build of the app.
import { build } from 'esbuild';

/** @param {string} outfile */
export function buildServer(outfile = 'dist/server/index.js') {
  return build({
    entryPoints: ['src/server/index.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}
