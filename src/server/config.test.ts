import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

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

  it('names every bad value', () => {
    expect(() => loadConfig(['--port', 'abc'], {})).toThrow(/port[\s\S]*janus\.url[\s\S]*janus\.apiSecret/);
  });

  it('refuses unknown flags', () => {
    expect(() => loadConfig(['--prot', '1'], janusEnv)).toThrow(/prot/);
  });
});
