// The user's settings as a JSON file in the user-data folder. Every read goes through the shared
// schema; every change is checked with SettingsPatch, written atomically and announced at once to
// onChange listeners (in main: start at login, and the window's reload for a new server). The
// content security policy and the call security engine read current() whenever they need it.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { SettingsState } from '../shared/bridge';
import { DEFAULT_SETTINGS, readStoredSettings, SettingsPatch, type Settings } from '../shared/settings';
import { keepAside, readTextIfExists, writeFileAtomic } from './atomicFile';
import { SerialQueue } from '../shared/serialQueue';

export const SETTINGS_FILE = 'settings.json';

export interface SettingsStoreOptions {
  /** The app's user-data folder. */
  dir: string;
  /**
   * The signaling server to report while the settings name none. The desktop app needs one (unlike
   * the web client, no server served it); the file keeps null so a later default still applies.
   */
  fallbackServerUrl?: string;
  now?: () => Date;
}

type SettingsEvents = { change: [settings: Settings, previous: Settings] };

export class SettingsStore {
  private readonly events = new EventEmitter<SettingsEvents>();
  private readonly writes = new SerialQueue();

  private constructor(
    private readonly path: string,
    private readonly fallbackServerUrl: string | null,
    /** As stored: `serverUrl` may be null. */
    private settings: Settings,
    /** Why the stored settings were not used, for the whole run; null when they were. */
    private readonly problem: string | null,
  ) {}

  /**
   * Loads the settings. A file that is not valid JSON or not valid settings is kept aside and the
   * defaults are used; `state().problem` then says what happened and where the file went.
   */
  static async open(options: SettingsStoreOptions): Promise<SettingsStore> {
    const path = join(options.dir, SETTINGS_FILE);
    const fallback = options.fallbackServerUrl ?? null;
    const text = await readTextIfExists(path);
    if (text === null) return new SettingsStore(path, fallback, { ...DEFAULT_SETTINGS }, null);
    try {
      return new SettingsStore(path, fallback, readStoredSettings(JSON.parse(text)), null);
    } catch (error) {
      const reason = error instanceof SyntaxError ? 'it is not valid JSON' : 'it holds invalid values';
      const keptAt = await keepAside(path, options.now?.() ?? new Date());
      const problem = `Your settings could not be read (${reason}), so the defaults are in use. The old file was kept as ${keptAt}.`;
      return new SettingsStore(path, fallback, { ...DEFAULT_SETTINGS }, problem);
    }
  }

  current(): Settings {
    return this.withFallback(this.settings);
  }

  /**
   * The signaling server to use: the one the settings name, else the fallback. Throws for a store
   * opened without a fallback while the settings name none (the app always passes one).
   */
  serverUrl(): string {
    const { serverUrl } = this.current();
    if (serverUrl === null) throw new Error('No signaling server is set, and the settings store was opened without a fallback.');
    return serverUrl;
  }

  state(): SettingsState {
    return { settings: this.current(), problem: this.problem };
  }

  /** Checks the patch (unknown keys and bad values are errors), saves, then emits `change`. */
  async update(patch: SettingsPatch): Promise<Settings> {
    const checked = SettingsPatch.parse(patch);
    return this.writes.run(async () => {
      const previous = this.settings;
      const next = readStoredSettings({ ...previous, ...checked });
      await writeFileAtomic(this.path, `${JSON.stringify(next, null, 2)}\n`);
      this.settings = next;
      this.events.emit('change', this.current(), this.withFallback(previous));
      return this.current();
    });
  }

  private withFallback(settings: Settings): Settings {
    return { ...settings, serverUrl: settings.serverUrl ?? this.fallbackServerUrl };
  }

  /** Calls `listener` after every saved change; returns the function that stops it. */
  onChange(listener: (settings: Settings, previous: Settings) => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }
}
