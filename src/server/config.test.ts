import { describe, expect, it } from 'vitest';
import { CONFIG_HELP, loadConfig } from './config';
import { DEFAULT_LIMITS } from './limits';

const janusEnv = { JANUS_WS_URL: 'ws://10.0.0.2:8188', JANUS_API_SECRET: 'secret-123', JANUS_ADMIN_KEY: 'adminkey-1' };

describe('server configuration', () => {
  it('takes defaults, then environment, then flags', () => {
    const fromEnv = loadConfig([], { ...janusEnv, SOFTPHONE_PORT: '9000' });
    expect(fromEnv.port).toBe(9000);
    expect(fromEnv.host).toBe('127.0.0.1');
    expect(fromEnv.ringTimeoutSeconds).toBe(45);
    expect(fromEnv.janus.url).toBe('ws://10.0.0.2:8188');
    const fromFlags = loadConfig(['--port', '9100', '--ring-timeout', '5'], { ...janusEnv, SOFTPHONE_PORT: '9000' });
    expect(fromFlags.port).toBe(9100);
    expect(fromFlags.ringTimeoutSeconds).toBe(5);
  });

  it('reads Janus’s recordings folder from --recordings-dir or JANUS_RECORDINGS_DIR; without it there is none', () => {
    expect(loadConfig([], janusEnv).janus.recordingsDir).toBeUndefined();
    expect(loadConfig([], { ...janusEnv, JANUS_RECORDINGS_DIR: '/srv/janus/rec' }).janus.recordingsDir).toBe('/srv/janus/rec');
    expect(loadConfig(['--recordings-dir', '/var/rec'], { ...janusEnv, JANUS_RECORDINGS_DIR: '/srv/janus/rec' }).janus.recordingsDir).toBe('/var/rec');
  });

  it('takes each limit from its flag, with defaults a deployment can keep', () => {
    const defaults = loadConfig([], janusEnv).limits;
    expect(defaults).toEqual(DEFAULT_LIMITS);
    const set = loadConfig(
      ['--calls-to-one-per-minute', '2', '--max-pending-per-address', '5', '--registrations-per-hour', '3', '--trust-proxy'],
      janusEnv,
    ).limits;
    expect(set).toMatchObject({
      callsToOnePerMinute: 2,
      pendingPerAddress: 5,
      registrationsPerAddressPerHour: 3,
      trustProxy: true,
      callsPerMinute: DEFAULT_LIMITS.callsPerMinute,
    });
    expect(() => loadConfig(['--messages-per-second', '0'], janusEnv)).toThrow(/limits\.messagesPerSecond/);
    // Every limit the help lists is a flag the server takes.
    const limitFlags = [...(CONFIG_HELP.split('Limits')[1] ?? '').matchAll(/--[a-z-]+/g)].map((match) => match[0]);
    expect(limitFlags).toHaveLength(11);
    for (const flag of limitFlags) expect(() => loadConfig(flag === '--trust-proxy' ? [flag] : [flag, '7'], janusEnv)).not.toThrow();
  });

  it('serves source maps only when asked to', () => {
    expect(loadConfig([], janusEnv).serveSourceMaps).toBe(false);
    expect(loadConfig(['--serve-source-maps'], janusEnv).serveSourceMaps).toBe(true);
    expect(loadConfig([], { ...janusEnv, SOFTPHONE_SERVE_SOURCE_MAPS: '1' }).serveSourceMaps).toBe(true);
  });

  it('reads the public origins from repeated --public-origin or SOFTPHONE_PUBLIC_ORIGINS, normalised; none by default', () => {
    expect(loadConfig([], janusEnv).publicOrigins).toEqual([]);
    expect(loadConfig([], { ...janusEnv, SOFTPHONE_PUBLIC_ORIGINS: 'https://Phone.Example.org:443, http://10.0.0.5:8080' }).publicOrigins).toEqual([
      'https://phone.example.org',
      'http://10.0.0.5:8080',
    ]);
    expect(loadConfig(['--public-origin', 'https://a.example', '--public-origin', 'https://b.example/'], janusEnv).publicOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    expect(() => loadConfig(['--public-origin', 'https://a.example/ws'], janusEnv)).toThrow(/publicOrigins[\s\S]*not an origin/);
    expect(() => loadConfig(['--public-origin', 'phone.example.org'], janusEnv)).toThrow(/not an origin/);
  });

  it('names every bad value', () => {
    expect(() => loadConfig(['--port', 'abc'], {})).toThrow(/port[\s\S]*janus\.url[\s\S]*janus\.apiSecret/);
  });

  it('refuses unknown flags', () => {
    expect(() => loadConfig(['--prot', '1'], janusEnv)).toThrow(/prot/);
  });
});
