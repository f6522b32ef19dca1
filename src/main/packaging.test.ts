// electron-builder.yml cannot be exercised here (packaging needs the Electron binary), so it is
// checked statically: against electron-builder's own JSON schema, and for the settings the app's
// security depends on — every Electron fuse set explicitly, to the value we chose.
import { FuseV1Options } from '@electron/fuses';
import { Ajv } from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEEP_LINK_SCHEME } from './deepLink';
import { APP_ID } from './desktopStatus';

const repoFile = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const config = parse(readFileSync(repoFile('electron-builder.yml'), 'utf8')) as Record<string, unknown> & {
  electronFuses: Record<string, unknown>;
  protocols: { schemes: string[] }[];
  files: string[];
  mac: { entitlements: string; extendInfo: Record<string, string>; hardenedRuntime: boolean; icon: string };
  win: { target: string[] };
  linux: { target: string[] };
};
const packageJson = JSON.parse(readFileSync(repoFile('package.json'), 'utf8')) as { productName: string; main: string };

/** FuseV1Options.RunAsNode → runAsNode, as electron-builder names the fuses. */
const fuseNames = Object.keys(FuseV1Options)
  .filter((key) => Number.isNaN(Number(key)))
  .map((key) => key.charAt(0).toLowerCase() + key.slice(1));

describe('electron-builder.yml', () => {
  it('matches electron-builder’s own schema', () => {
    const schema = JSON.parse(readFileSync(repoFile('node_modules/app-builder-lib/scheme.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const valid = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('sets every fuse Electron has, to a boolean', () => {
    expect(fuseNames).toContain('runAsNode');
    for (const fuse of fuseNames) expect(typeof config.electronFuses[fuse], fuse).toBe('boolean');
  });

  it('locks the runtime down with the fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs the built app into an asar, and nothing of the server or the sources', () => {
    expect(config).toMatchObject({ appId: APP_ID, productName: packageJson.productName, asar: true });
    expect(packageJson.main).toBe('dist/main/index.cjs');
    expect(config.files).toEqual(expect.arrayContaining(['package.json', 'dist/main/**', 'dist/preload/**', 'dist/renderer/**']));
    expect(config.files.some((pattern) => pattern.startsWith('src') || pattern.startsWith('dist/server'))).toBe(false);
  });

  it('registers the deep-link scheme the app handles', () => {
    expect(config.protocols.flatMap((protocol) => protocol.schemes)).toEqual([DEEP_LINK_SCHEME]);
  });

  it('builds macOS with the hardened runtime, says why it needs the microphone and camera, and only entitles those', () => {
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.extendInfo.NSMicrophoneUsageDescription).toMatch(/microphone/);
    expect(config.mac.extendInfo.NSCameraUsageDescription).toMatch(/camera/);
    const entitlements = readFileSync(repoFile(config.mac.entitlements), 'utf8');
    const granted = [...entitlements.matchAll(/<key>([^<]+)<\/key>\s*<true\/>/g)].map((match) => match[1]);
    expect(granted.sort()).toEqual(['com.apple.security.cs.allow-jit', 'com.apple.security.device.audio-input', 'com.apple.security.device.camera']);
  });

  it('builds an NSIS installer, an AppImage and a deb from icons that exist', () => {
    expect(config.win.target).toEqual(['nsis']);
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(existsSync(repoFile(config.mac.icon))).toBe(true);
    expect(readFileSync(repoFile(config.mac.icon)).subarray(16, 24)).toEqual(Buffer.from([0, 0, 2, 0, 0, 0, 2, 0]));
  });
});
