import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  JANUS_CONFIG_FILE,
  VIDEOROOM_CONFIG_FILE,
  WEBSOCKETS_CONFIG_FILE,
  janusLibraryDir,
  listInstalledJanusModules,
  renderJanusConfig,
  writeJanusConfig,
} from './testbed-janus-config';
import type { InstalledJanusModules, JanusConfigOptions } from './testbed-janus-config';

const options: JanusConfigOptions = {
  dir: '/tmp/janus-run/config',
  mediaIp: '10.231.0.2',
  iceEnforceInterface: 'sptb0j',
  wsIp: '10.231.0.2',
  wsAcl: ['10.231.0.1'],
  apiSecret: 'api-secret-0123456789abcdef',
  adminKey: 'admin-key-0123456789abcdef',
  rtpPortRange: { min: 20000, max: 20100 },
  recordingsDir: '/tmp/janus-run/recordings',
};

const installed: InstalledJanusModules = {
  plugins: ['libjanus_audiobridge.so', 'libjanus_videoroom.so', 'libjanus_echotest.so', 'libjanus_custom_extra.so'],
  transports: ['libjanus_http.so', 'libjanus_websockets.so', 'libjanus_pfunix.so'],
  events: ['libjanus_sampleevh.so', 'libjanus_wsevh.so'],
  loggers: ['libjanus_jsonlog.so'],
};

/** The value of `key` inside `section: { ... }` of a jcfg text. */
function setting(text: string, section: string, key: string): string | undefined {
  const body = new RegExp(`^${section}: \\{\\n([\\s\\S]*?)^\\}`, 'm').exec(text)?.[1] ?? '';
  return new RegExp(`^\\s*${key} = (.*)$`, 'm').exec(body)?.[1];
}

describe('janusLibraryDir', () => {
  it("names Debian's multiarch folder of the machine", () => {
    expect(janusLibraryDir('x64')).toBe('/usr/lib/x86_64-linux-gnu/janus');
    expect(janusLibraryDir('arm64')).toBe('/usr/lib/aarch64-linux-gnu/janus');
  });
});

describe('renderJanusConfig', () => {
  const files = renderJanusConfig(options, installed, '/opt/janus-lib');
  const janus = files[JANUS_CONFIG_FILE] ?? '';
  const websockets = files[WEBSOCKETS_CONFIG_FILE] ?? '';
  const videoroom = files[VIDEOROOM_CONFIG_FILE] ?? '';

  it('renders exactly the three files Janus needs', () => {
    expect(Object.keys(files).sort()).toEqual([JANUS_CONFIG_FILE, VIDEOROOM_CONFIG_FILE, WEBSOCKETS_CONFIG_FILE].sort());
  });

  it('disables every installed plugin and transport but VideoRoom and WebSockets, and all loggers and event handlers', () => {
    expect(setting(janus, 'plugins', 'disable')).toBe('"libjanus_audiobridge.so,libjanus_echotest.so,libjanus_custom_extra.so"');
    expect(setting(janus, 'transports', 'disable')).toBe('"libjanus_http.so,libjanus_pfunix.so"');
    expect(setting(janus, 'loggers', 'disable')).toBe('"libjanus_jsonlog.so"');
    expect(setting(janus, 'events', 'disable')).toBe('"libjanus_sampleevh.so,libjanus_wsevh.so"');
    expect(setting(janus, 'events', 'broadcast')).toBe('false');
  });

  it('sets the API secret, the media address and the module folders', () => {
    expect(setting(janus, 'general', 'api_secret')).toBe('"api-secret-0123456789abcdef"');
    expect(setting(janus, 'general', 'interface')).toBe('"10.231.0.2"');
    expect(setting(janus, 'general', 'plugins_folder')).toBe('"/opt/janus-lib/plugins"');
    expect(setting(janus, 'general', 'transports_folder')).toBe('"/opt/janus-lib/transports"');
    expect(setting(janus, 'general', 'token_auth')).toBe('false');
    expect(setting(janus, 'general', 'debug_colors')).toBe('false');
    expect(janus).toMatch(/protected_folders = \[[^\]]*"\/etc"[^\]]*\]/);
  });

  it('makes ICE lite, limited to one interface, without mDNS or IPv6', () => {
    expect(setting(janus, 'nat', 'ice_lite')).toBe('true');
    expect(setting(janus, 'nat', 'ice_enforce_list')).toBe('"sptb0j"');
    expect(setting(janus, 'nat', 'ignore_mdns')).toBe('true');
    expect(setting(janus, 'media', 'ipv6')).toBe('false');
    expect(setting(janus, 'media', 'rtp_port_range')).toBe('"20000-20100"');
  });

  it('limits ICE to the media address when no interface is named', () => {
    const { iceEnforceInterface: _, ...withoutInterface } = options;
    const text = renderJanusConfig(withoutInterface, installed)[JANUS_CONFIG_FILE] ?? '';
    expect(setting(text, 'nat', 'ice_enforce_list')).toBe('"10.231.0.2"');
  });

  it('binds the WebSocket API to one address, open to the ACL only, with the admin API off', () => {
    expect(setting(websockets, 'general', 'ws')).toBe('true');
    expect(setting(websockets, 'general', 'ws_ip')).toBe('"10.231.0.2"');
    expect(setting(websockets, 'general', 'ws_port')).toBe('8188');
    expect(setting(websockets, 'general', 'ws_acl')).toBe('"10.231.0.1"');
    expect(setting(websockets, 'general', 'wss')).toBe('false');
    expect(setting(websockets, 'admin', 'admin_ws')).toBe('false');
    expect(setting(websockets, 'admin', 'admin_wss')).toBe('false');
  });

  it('gives the VideoRoom plugin the admin key and string ids, and locks RTP forwarding', () => {
    expect(setting(videoroom, 'general', 'admin_key')).toBe('"admin-key-0123456789abcdef"');
    expect(setting(videoroom, 'general', 'string_ids')).toBe('true');
    expect(setting(videoroom, 'general', 'lock_rtp_forward')).toBe('true');
    expect(videoroom).not.toMatch(/^room-/m);
  });

  it('uses the given WebSocket port and several ACL entries', () => {
    const text = renderJanusConfig({ ...options, wsPort: 9188, wsAcl: ['10.231.0.1', '127.'] }, installed)[WEBSOCKETS_CONFIG_FILE] ?? '';
    expect(setting(text, 'general', 'ws_port')).toBe('9188');
    expect(setting(text, 'general', 'ws_acl')).toBe('"10.231.0.1,127."');
  });

  it.each<[string, Partial<JanusConfigOptions>, RegExp]>([
    ['a media address that is not IPv4', { mediaIp: 'janus.local' }, /mediaIp/],
    ['a short API secret', { apiSecret: 'short' }, /apiSecret/],
    ['a secret with a quote', { adminKey: 'abcdefghijklmnop"q' }, /adminKey/],
    ['an empty ACL', { wsAcl: [] }, /wsAcl/],
    ['an inverted port range', { rtpPortRange: { min: 30000, max: 20000 } }, /rtpPortRange/],
    ['a relative recordings folder', { recordingsDir: 'recordings' }, /recordingsDir/],
    ['recordings in a protected folder', { recordingsDir: '/var/lib/janus/recordings' }, /inside \/var/],
    ['a config folder with a quote', { dir: '/tmp/a"b' }, /quotes/],
  ])('refuses %s', (_, change, message) => {
    expect(() => renderJanusConfig({ ...options, ...change }, installed)).toThrow(message);
  });

  it('refuses an installation without the VideoRoom plugin or the WebSocket transport', () => {
    expect(() => renderJanusConfig(options, { ...installed, plugins: ['libjanus_echotest.so'] })).toThrow(/libjanus_videoroom\.so/);
    expect(() => renderJanusConfig(options, { ...installed, transports: ['libjanus_http.so'] })).toThrow(/libjanus_websockets\.so/);
  });
});

describe('writeJanusConfig', () => {
  let workDir: string | undefined;
  afterEach(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('disables what the library folder holds, ignoring versioned names and other files, and writes private files', async () => {
    workDir = await mkdtemp(join(tmpdir(), 'janus-config-test-'));
    const libraryDir = join(workDir, 'lib');
    const layout: Record<string, string[]> = {
      plugins: ['libjanus_videoroom.so', 'libjanus_videoroom.so.1', 'libjanus_sip.so', 'libjanus_sip.so.1.1.2', 'README'],
      transports: ['libjanus_websockets.so', 'libjanus_http.so', 'libjanus_http.so.1'],
      events: ['libjanus_gelfevh.so'],
    };
    for (const [folder, names] of Object.entries(layout)) {
      await mkdir(join(libraryDir, folder), { recursive: true });
      for (const name of names) await writeFile(join(libraryDir, folder, name), '');
    }

    expect(await listInstalledJanusModules(libraryDir)).toEqual({
      plugins: ['libjanus_sip.so', 'libjanus_videoroom.so'],
      transports: ['libjanus_http.so', 'libjanus_websockets.so'],
      events: ['libjanus_gelfevh.so'],
      loggers: [],
    });

    const dir = join(workDir, 'config');
    const recordingsDir = join(workDir, 'recordings');
    const files = await writeJanusConfig({ ...options, dir, recordingsDir }, libraryDir);
    const janus = await readFile(join(dir, JANUS_CONFIG_FILE), 'utf8');
    expect(janus).toBe(files[JANUS_CONFIG_FILE]);
    expect(setting(janus, 'plugins', 'disable')).toBe('"libjanus_sip.so"');
    expect(setting(janus, 'transports', 'disable')).toBe('"libjanus_http.so"');
    expect(setting(janus, 'loggers', 'disable')).toBe('""');
    for (const name of [JANUS_CONFIG_FILE, WEBSOCKETS_CONFIG_FILE, VIDEOROOM_CONFIG_FILE]) {
      expect((await stat(join(dir, name))).mode & 0o777).toBe(0o600);
    }
    expect((await stat(recordingsDir)).isDirectory()).toBe(true);
  });
});
