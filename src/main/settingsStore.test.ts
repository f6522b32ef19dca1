import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type Settings, type SettingsPatch } from '../shared/settings';
import { SETTINGS_FILE, SettingsStore } from './settingsStore';
import { temporaryFolder } from './testing/fakeSecretStorage';

let folder: Awaited<ReturnType<typeof temporaryFolder>>;
beforeEach(async () => {
  folder = await temporaryFolder();
});
afterEach(() => folder.remove());

const settingsPath = () => join(folder.dir, SETTINGS_FILE);
const now = () => new Date('2025-06-01T12:00:00.000Z');

/** A value other than the default for every field, and an invalid one. */
const FIELDS: { [K in keyof Settings]: [changed: Settings[K], invalid: unknown] } = {
  e2ee: [false, 'no'],
  audioInputId: ['mic-2', 12],
  audioOutputId: ['speaker-2', { id: 1 }],
  videoInputId: ['camera-2', 'x'.repeat(300)],
  echoCancellation: [false, null],
  noiseSuppression: [false, 'no'],
  autoGainControl: [false, 0],
  ringtone: ['pulse', 'siren'],
  ringtoneVolume: [0.25, 2],
  notifications: [false, 'off'],
  startAtLogin: [true, 1],
  automaticUpdates: [false, 'off'],
  serverUrl: ['wss://phone.example.org/ws', 'https://phone.example.org/ws'],
  unencryptedServerConfirmed: ['ws://10.0.0.5:8080/ws', 7],
};
const fieldCases = Object.entries(FIELDS) as [keyof Settings, [unknown, unknown]][];

describe('SettingsStore', () => {
  it('starts from the defaults without a problem when there is no file', async () => {
    const store = await SettingsStore.open({ dir: folder.dir });
    expect(store.state()).toEqual({ settings: DEFAULT_SETTINGS, problem: null });
  });

  it('saves a change, announces it at once and reads it back', async () => {
    const store = await SettingsStore.open({ dir: folder.dir });
    const listener = vi.fn();
    store.onChange(listener);

    const saved = await store.update({ e2ee: false, serverUrl: 'wss://phone.example.org/ws' });

    expect(saved).toEqual({ ...DEFAULT_SETTINGS, e2ee: false, serverUrl: 'wss://phone.example.org/ws' });
    expect(listener).toHaveBeenCalledWith(saved, DEFAULT_SETTINGS);
    expect((await SettingsStore.open({ dir: folder.dir })).current()).toEqual(saved);
  });

  it('refuses unknown keys and invalid values without saving or announcing anything', async () => {
    const store = await SettingsStore.open({ dir: folder.dir });
    const listener = vi.fn();
    store.onChange(listener);

    await expect(store.update({ theme: 'dark' } as unknown as SettingsPatch)).rejects.toThrow();
    await expect(store.update({ ringtoneVolume: 3 })).rejects.toThrow();
    await expect(store.update({ serverUrl: 'http://phone.example.org' })).rejects.toThrow(/ws:\/\/ or wss:\/\//);

    expect(listener).not.toHaveBeenCalled();
    await expect(readFile(settingsPath())).rejects.toThrow(/ENOENT/);
  });

  it('stops announcing to a listener that unsubscribed', async () => {
    const store = await SettingsStore.open({ dir: folder.dir });
    const listener = vi.fn();
    store.onChange(listener)();
    await store.update({ notifications: false });
    expect(listener).not.toHaveBeenCalled();
  });

  it('applies quick successive changes in order', async () => {
    const store = await SettingsStore.open({ dir: folder.dir });
    await Promise.all([store.update({ ringtone: 'chime' }), store.update({ ringtoneVolume: 0.2 }), store.update({ ringtone: 'pulse' })]);
    const stored = JSON.parse(await readFile(settingsPath(), 'utf8')) as unknown;
    expect(stored).toEqual({ ...DEFAULT_SETTINGS, ringtone: 'pulse', ringtoneVolume: 0.2 });
  });

  it('fills settings an older file lacks with their defaults', async () => {
    await writeFile(settingsPath(), JSON.stringify({ e2ee: false }));
    const store = await SettingsStore.open({ dir: folder.dir });
    expect(store.state()).toEqual({ settings: { ...DEFAULT_SETTINGS, e2ee: false }, problem: null });
  });

  it('reports the fallback server while the settings name none, and keeps null in the file', async () => {
    const fallbackServerUrl = 'ws://localhost:8080/ws';
    const store = await SettingsStore.open({ dir: folder.dir, fallbackServerUrl });
    expect(store.current().serverUrl).toBe(fallbackServerUrl);

    await store.update({ serverUrl: 'wss://phone.example.org/ws' });
    expect(store.current().serverUrl).toBe('wss://phone.example.org/ws');
    expect(await store.update({ serverUrl: null })).toMatchObject({ serverUrl: fallbackServerUrl });
    expect(JSON.parse(await readFile(settingsPath(), 'utf8'))).toMatchObject({ serverUrl: null });
  });

  it('answers the server to use: the one the settings name, else the fallback', async () => {
    const store = await SettingsStore.open({ dir: folder.dir, fallbackServerUrl: 'ws://localhost:8080/ws' });
    expect(store.serverUrl()).toBe('ws://localhost:8080/ws');
    await store.update({ serverUrl: 'wss://phone.example.org/ws' });
    expect(store.serverUrl()).toBe('wss://phone.example.org/ws');

    const withoutFallback = await SettingsStore.open({ dir: join(folder.dir, 'elsewhere') });
    expect(() => withoutFallback.serverUrl()).toThrow(/no signaling server/i);
  });

  it.each([
    ['not JSON', '{"e2ee": tru', /not valid JSON/],
    ['invalid values', JSON.stringify({ e2ee: 'yes' }), /invalid values/],
  ])('uses the defaults and keeps aside a file that is %s', async (_kind, content, reason) => {
    await writeFile(settingsPath(), content);
    const store = await SettingsStore.open({ dir: folder.dir, now });
    const keptAt = `${settingsPath()}.unreadable-2025-06-01T12-00-00-000Z`;

    expect(store.current()).toEqual(DEFAULT_SETTINGS);
    expect(store.state().problem).toMatch(reason);
    expect(store.state().problem).toContain(keptAt);
    expect(await readFile(keptAt, 'utf8')).toBe(content);

    await store.update({ ringtone: 'chime' });
    expect(await readFile(keptAt, 'utf8')).toBe(content);
  });

  it.each(fieldCases)('saves %s and finds it again after a restart', async (field, [changed]) => {
    const store = await SettingsStore.open({ dir: folder.dir });
    await store.update({ [field]: changed });
    const restarted = await SettingsStore.open({ dir: folder.dir });
    expect(restarted.state()).toEqual({ settings: { ...DEFAULT_SETTINGS, [field]: changed }, problem: null });
  });

  it.each(fieldCases)('refuses an invalid %s without saving it', async (field, [, invalid]) => {
    const store = await SettingsStore.open({ dir: folder.dir });
    await expect(store.update({ [field]: invalid } as SettingsPatch)).rejects.toThrow();
    expect(store.current()).toEqual(DEFAULT_SETTINGS);
    await expect(readFile(settingsPath())).rejects.toThrow(/ENOENT/);
  });

  it.each(fieldCases)('keeps aside a stored file whose %s is invalid and starts from the defaults', async (field, [, invalid]) => {
    const stored = JSON.stringify({ ...DEFAULT_SETTINGS, ...everyFieldChanged(), [field]: invalid });
    await writeFile(settingsPath(), stored);
    const store = await SettingsStore.open({ dir: folder.dir, now });

    expect(store.current()).toEqual(DEFAULT_SETTINGS);
    expect(store.state().problem).toMatch(/invalid values/);
    expect(await readFile(`${settingsPath()}.unreadable-2025-06-01T12-00-00-000Z`, 'utf8')).toBe(stored);
  });

  it('resets to the defaults by saving them, server address included', async () => {
    const store = await SettingsStore.open({ dir: folder.dir, fallbackServerUrl: 'ws://localhost:8080/ws' });
    await store.update(everyFieldChanged());
    expect(await store.update({ ...DEFAULT_SETTINGS })).toEqual({ ...DEFAULT_SETTINGS, serverUrl: 'ws://localhost:8080/ws' });
    expect(JSON.parse(await readFile(settingsPath(), 'utf8'))).toEqual(DEFAULT_SETTINGS);
  });
});

/** Every field changed from its default. */
function everyFieldChanged(): Settings {
  return Object.fromEntries(fieldCases.map(([field, [changed]]) => [field, changed])) as Settings;
}
