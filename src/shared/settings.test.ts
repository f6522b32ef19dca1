// Every settings field: what it accepts, what it refuses, and how a stored file is read.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, readStoredSettings, RINGTONES, Settings, SettingsPatch, unencryptedServerProblem } from './settings';

type Case = [field: keyof Settings, accepted: unknown[], refused: unknown[]];

const DEVICE_ID = 'e1b60bc7a7f2c1d9d4f5b3c2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918f7e6';

const cases: Case[] = [
  ['e2ee', [true, false], ['yes', 1, null]],
  ['audioInputId', [null, DEVICE_ID, 'x'], [42, 'x'.repeat(257), true]],
  ['audioOutputId', [null, DEVICE_ID], [{}, 'x'.repeat(257)]],
  ['videoInputId', [null, DEVICE_ID], [[], 'x'.repeat(257)]],
  ['echoCancellation', [true, false], ['on', null]],
  ['noiseSuppression', [true, false], [1, null]],
  ['autoGainControl', [true, false], ['off', null]],
  ['ringtone', [...RINGTONES], ['siren', '', null]],
  ['ringtoneVolume', [0, 0.35, 1], [-0.1, 1.01, '0.5', null, Number.NaN]],
  ['notifications', [true, false], [0, null]],
  ['startAtLogin', [true, false], ['false', null]],
  ['automaticUpdates', [true, false], ['true', 0, null]],
  [
    'serverUrl',
    [null, 'ws://localhost:8080/ws', 'wss://phone.example.org/ws', 'wss://[::1]:8443/ws'],
    ['http://phone.example.org', 'https://phone.example.org/ws', 'phone.example.org', '', `wss://${'a'.repeat(510)}.org`, 7],
  ],
  ['unencryptedServerConfirmed', [null, 'ws://10.0.0.5:8080/ws'], [7, 'x'.repeat(513)]],
];

describe('unencrypted server addresses', () => {
  it('lets wss:// and plain ws:// to this machine through without asking', () => {
    for (const url of ['wss://phone.example.org/ws', 'ws://localhost:8080/ws', 'ws://127.0.0.1:8080/ws', 'ws://127.8.9.10/ws', 'ws://[::1]:8080/ws']) {
      expect(unencryptedServerProblem(url, null)).toBeNull();
    }
  });

  it('refuses plain ws:// to another machine until the user confirmed that very address', () => {
    expect(unencryptedServerProblem('ws://10.0.0.5:8080/ws', null)).toMatch(/10\.0\.0\.5:8080 uses plain ws:\/\/, which is not encrypted/);
    expect(unencryptedServerProblem('ws://localhost.evil.example/ws', null)).not.toBeNull();
    expect(unencryptedServerProblem('ws://10.0.0.5:8080/ws', 'ws://10.0.0.6:8080/ws')).not.toBeNull();
    expect(unencryptedServerProblem('ws://10.0.0.5:8080/ws', 'ws://10.0.0.5:8080/ws')).toBeNull();
  });
});

describe('settings fields', () => {
  it('has a case for every field', () => {
    expect(cases.map(([field]) => field).sort()).toEqual(Object.keys(Settings.shape).sort());
    expect(Settings.parse(DEFAULT_SETTINGS)).toEqual(DEFAULT_SETTINGS);
  });

  it.each(cases)('%s accepts what it should and refuses the rest', (field, accepted, refused) => {
    for (const value of accepted) expect(SettingsPatch.safeParse({ [field]: value }).success, `${field} = ${JSON.stringify(value)}`).toBe(true);
    for (const value of refused) expect(SettingsPatch.safeParse({ [field]: value }).success, `${field} = ${JSON.stringify(value)}`).toBe(false);
  });

  it('names the problem with a server address that is not ws:// or wss://', () => {
    const result = SettingsPatch.safeParse({ serverUrl: 'https://phone.example.org/ws' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('the server address must be a ws:// or wss:// URL');
  });

  it('refuses a patch with a field it does not know', () => {
    expect(SettingsPatch.safeParse({ theme: 'dark' }).success).toBe(false);
  });
});

describe('readStoredSettings', () => {
  it('fills fields an older file lacks with their defaults, and drops fields it does not know', () => {
    expect(readStoredSettings({ ringtone: 'pulse', somethingNewer: 1 })).toEqual({ ...DEFAULT_SETTINGS, ringtone: 'pulse' });
    expect(readStoredSettings({})).toEqual(DEFAULT_SETTINGS);
  });

  it.each(cases.filter(([, , refused]) => refused.length > 0))('refuses a stored file with an invalid %s', (field, _accepted, [invalid]) => {
    expect(() => readStoredSettings({ [field]: invalid })).toThrow();
  });

  it('turns all three kinds of microphone processing off for an older file that had processing off', () => {
    const off = { echoCancellation: false, noiseSuppression: false, autoGainControl: false };
    expect(readStoredSettings({ audioProcessing: false, ringtone: 'chime' })).toEqual({ ...DEFAULT_SETTINGS, ...off, ringtone: 'chime' });
    expect(readStoredSettings({ audioProcessing: true })).toEqual(DEFAULT_SETTINGS);
    expect(readStoredSettings({ audioProcessing: false })).not.toHaveProperty('audioProcessing');
  });

  it('lets the three new fields, where a file has them, win over the older switch', () => {
    expect(readStoredSettings({ audioProcessing: false, echoCancellation: true })).toMatchObject({
      echoCancellation: true,
      noiseSuppression: false,
      autoGainControl: false,
    });
  });

  it('ignores an older switch that is not a boolean, as any field it does not know', () => {
    expect(readStoredSettings({ audioProcessing: 'off' })).toEqual(DEFAULT_SETTINGS);
  });

  it('refuses something that is not an object', () => {
    for (const stored of [null, 'settings', 42, []]) expect(() => readStoredSettings(stored)).toThrow();
  });
});
