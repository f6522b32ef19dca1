// The host for the web client: what Electron main does for the desktop app, done in the page.
// The identity key, settings, contacts (with their pinned keys) and call history live in the
// browser's storage; the call security, contact book and history logic is the same code main runs.
import { ed25519 } from '@noble/curves/ed25519.js';
import { z } from 'zod';
import type { HostBridge } from './bridge';
import { webIdentityBackupCalls } from './webIdentityBackup';
import { cryptoKeySigner, importNonExtractable, indexedDbKeyStore, type CryptoKeyStore } from './webIdentityKey';
import { WebCallNotifier } from './webNotifier';
import { webContract, type FrameKeysMessage, type IdentityAtRest, type WebCalls, type WebChannel } from '../../shared/bridge';
import { CallHistory, type StoredCallHistory } from '../../shared/contacts/callHistory';
import { seedSigner, type IdentitySigner } from '../../shared/crypto/identitySigner';
import { ContactBook, type StoredContactBook } from '../../shared/contacts/contactBook';
import type { RecordStore } from '../../shared/contacts/recordStore';
import { CallSecurity } from '../../shared/e2ee/callSecurity';
import { fingerprint } from '../../shared/e2ee/securityCode';
import { fromBase64Url, toBase64Url } from '../../shared/encoding';
import { Handle, type CallId } from '../../shared/protocol';
import { DEFAULT_SETTINGS, readStoredSettings, SettingsPatch, type Settings } from '../../shared/settings';

const KEYS = {
  identity: 'softphone/identity',
  settings: 'softphone/settings',
  contacts: 'softphone/contacts',
  history: 'softphone/history',
} as const;

/**
 * The web client's identity key at rest, where the browser has WebCrypto Ed25519: a
 * non-extractable key that page script can sign with but not read (see webIdentityKey.ts).
 */
export const WEB_IDENTITY_NON_EXTRACTABLE: IdentityAtRest = {
  protected: false,
  exportable: false,
  description:
    'This browser keeps your identity key as a WebCrypto key that the page can sign with but not read, so no script can copy it to use elsewhere — and for the same reason it cannot be exported. The call handshake’s key made from it stays readable by the page’s script, and anyone with access to this browser profile can read both. The desktop app keeps its key in the system’s key store.',
};

/** The same where the browser lacks WebCrypto Ed25519: the seed in localStorage, in the clear. */
export const WEB_IDENTITY_SEED_IN_STORAGE: IdentityAtRest = {
  protected: false,
  exportable: true,
  description:
    'Not protected at rest: this browser has no WebCrypto Ed25519, so the web client signs with its own code (@noble/curves) and keeps your identity key unencrypted in this browser’s storage for this site. Any script the page runs — including code the server sends — can read it, and so can anyone with access to this browser profile. The desktop app keeps it in the system’s key store.',
};

const Base64Url32 = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
/** The seed itself: where the browser cannot keep a non-extractable key, and an imported backup until the next start. */
const StoredSeedIdentity = z.object({ version: z.literal(1), seed: Base64Url32, handle: Handle.nullable() });
/** The signing key is a non-extractable CryptoKey in IndexedDB; kept here: what the page needs beside it. */
const StoredKeyIdentity = z.object({ version: z.literal(2), publicKey: Base64Url32, handshakeSecret: Base64Url32, handle: Handle.nullable() });
const StoredIdentity = z.discriminatedUnion('version', [StoredSeedIdentity, StoredKeyIdentity]);
type StoredIdentity = z.infer<typeof StoredIdentity>;

/** WebCrypto and the store for the non-extractable identity key; `subtle` is undefined where the page has none. */
export interface WebIdentityKeys {
  subtle: SubtleCrypto | undefined;
  store: CryptoKeyStore;
}

interface OpenedIdentity {
  record: StoredIdentity;
  signer: IdentitySigner;
  /** The seed, only where the browser cannot keep a non-extractable key (it is then exportable). */
  seed: Uint8Array | null;
  problem: string | null;
}

/**
 * Opens the stored identity, or makes one. A seed (a first start, an imported backup, or an
 * identity from before) is imported once into a non-extractable WebCrypto key, which is stored
 * before the seed's record is replaced, so a failure on the way leaves the seed where it was. Where
 * the browser has no WebCrypto Ed25519, or cannot store the key, the seed stays and signs.
 */
async function openIdentity(storage: Storage, stored: StoredIdentity | null, keys: WebIdentityKeys): Promise<OpenedIdentity> {
  if (stored?.version === 2) {
    if (!keys.subtle) {
      throw new Error(
        'Your identity key is kept as a WebCrypto key, but this page has no WebCrypto (a page served over plain http to another machine has none). Nothing was changed; open the app over https.',
      );
    }
    let key: CryptoKey | null;
    try {
      key = await keys.store.get();
    } catch (error) {
      throw new Error(
        `Your identity key could not be read from this browser’s storage (${error instanceof Error ? error.message : String(error)}). Nothing was changed; try reloading the page.`,
      );
    }
    if (key) {
      return {
        record: stored,
        signer: cryptoKeySigner(keys.subtle, key, fromBase64Url(stored.publicKey), fromBase64Url(stored.handshakeSecret)),
        seed: null,
        problem: null,
      };
    }
    const aside = keepAside(storage, KEYS.identity);
    const fresh = await openIdentity(storage, null, keys);
    return {
      ...fresh,
      problem: `This browser no longer holds the identity key it kept for this site, so a new one was made (your contacts will see a changed key); the old record was kept aside as "${aside}".`,
    };
  }
  const seed = stored ? fromBase64Url(stored.seed) : ed25519.utils.randomSecretKey();
  const handle = stored?.handle ?? null;
  if (keys.subtle) {
    try {
      const key = await importNonExtractable(keys.subtle, seed);
      await keys.store.put(key);
      const publicKey = ed25519.getPublicKey(seed);
      const handshakeSecret = ed25519.utils.toMontgomerySecret(seed);
      const record: StoredIdentity = { version: 2, publicKey: toBase64Url(publicKey), handshakeSecret: toBase64Url(handshakeSecret), handle };
      storage.setItem(KEYS.identity, JSON.stringify(record));
      const signer = cryptoKeySigner(keys.subtle, key, publicKey, handshakeSecret);
      handshakeSecret.fill(0);
      seed.fill(0);
      return { record, signer, seed: null, problem: null };
    } catch {
      // No WebCrypto Ed25519 here, or no IndexedDB to keep the key in: the seed signs, as before.
    }
  }
  const record: StoredIdentity = { version: 1, seed: toBase64Url(seed), handle };
  storage.setItem(KEYS.identity, JSON.stringify(record));
  return { record, signer: seedSigner(seed), seed, problem: null };
}

/**
 * Moves a record that cannot be used to a dated key, so that the next start neither reads it nor
 * reports it again; returns that key.
 */
function keepAside(storage: Storage, key: string): string {
  const aside = `${key}.corrupt-${Date.now()}`;
  storage.setItem(aside, storage.getItem(key) ?? '');
  storage.removeItem(key);
  return aside;
}

/** Reads a stored JSON value; a value that does not parse is kept aside under a dated key. */
function readStored<T>(storage: Storage, key: string, schema: z.ZodType<T>): { value: T | null; problem: string | null } {
  const raw = storage.getItem(key);
  if (raw === null) return { value: null, problem: null };
  try {
    return { value: schema.parse(JSON.parse(raw)), problem: null };
  } catch {
    const aside = keepAside(storage, key);
    return { value: null, problem: `The stored ${key.split('/')[1]} could not be read; it was kept aside as "${aside}".` };
  }
}

/** One record in the browser's storage, as the shared contact book and call history keep it. */
function browserRecord<T>(storage: Storage, key: string): RecordStore<T> {
  return {
    read: async () => {
      const raw = storage.getItem(key);
      return raw === null ? null : (JSON.parse(raw) as unknown);
    },
    write: async (value) => storage.setItem(key, JSON.stringify(value)),
  };
}

/**
 * Opens a stored record with `open`; one that cannot be read is kept aside under a dated key and
 * the record starts empty, with a problem to show the user.
 */
async function openKeepingAside<T>(storage: Storage, key: string, open: () => Promise<T>, problems: string[]): Promise<T> {
  try {
    return await open();
  } catch {
    const aside = keepAside(storage, key);
    problems.push(`The stored ${key.split('/')[1]} could not be read; it was kept aside as "${aside}" and a new one was started.`);
    return open();
  }
}

/** Checks the arguments and the result of every call against the web contract, as main does. */
function validated(calls: WebCalls): WebCalls {
  const wrapped: Partial<Record<WebChannel, unknown>> = {};
  for (const channel of Object.keys(webContract) as WebChannel[]) {
    const { args, result } = webContract[channel];
    const call = calls[channel] as (...values: unknown[]) => Promise<unknown>;
    wrapped[channel] = async (...values: unknown[]) => result.parse(await call(...(args.parse(values) as unknown[])));
  }
  return wrapped as WebCalls;
}

export async function createWebHost(
  storage: Storage = window.localStorage,
  keys: WebIdentityKeys = { subtle: globalThis.crypto?.subtle, store: indexedDbKeyStore() },
): Promise<HostBridge> {
  const identityRead = readStored(storage, KEYS.identity, StoredIdentity);
  const opened = await openIdentity(storage, identityRead.value, keys);
  let identity = opened.record;
  const signer = opened.signer;
  const publicKey = toBase64Url(signer.publicKey);
  const atRest = opened.seed ? WEB_IDENTITY_SEED_IN_STORAGE : WEB_IDENTITY_NON_EXTRACTABLE;

  let settingsProblem: string | null = [identityRead.problem, opened.problem].filter(Boolean).join(' ') || null;
  let settings: Settings = { ...DEFAULT_SETTINGS };
  const settingsRead = readStored(storage, KEYS.settings, z.unknown());
  if (settingsRead.value !== null) {
    try {
      settings = readStoredSettings(settingsRead.value);
    } catch {
      const aside = keepAside(storage, KEYS.settings);
      settingsProblem = `Your settings could not be read and were reset; the old ones were kept aside as "${aside}".`;
    }
  }
  settingsProblem ??= settingsRead.problem;

  const problems: string[] = [];
  const contacts = await openKeepingAside(storage, KEYS.contacts, () => ContactBook.open(browserRecord<StoredContactBook>(storage, KEYS.contacts)), problems);
  const history = await openKeepingAside(storage, KEYS.history, () => CallHistory.open(browserRecord<StoredCallHistory>(storage, KEYS.history)), problems);
  settingsProblem = [settingsProblem, ...problems].filter(Boolean).join(' ') || null;

  const keyChannels = new Map<CallId, MessageChannel>();
  const channelFor = (callId: CallId) => {
    let channel = keyChannels.get(callId);
    if (!channel) keyChannels.set(callId, (channel = new MessageChannel()));
    return channel;
  };

  const security = new CallSecurity({
    identity: signer,
    getSettings: () => settings,
    trust: contacts,
    deliverKeys: (keys: FrameKeysMessage) => {
      channelFor(keys.callId).port1.postMessage(keys);
    },
    knownCall: (callId) => history.list().some((entry) => entry.callId === callId),
  });

  const identityInfo = () => ({ publicKey, handle: identity.handle, fingerprint: fingerprint(fromBase64Url(publicKey)) });

  const notifier = new WebCallNotifier(() => settings.notifications);

  const calls: WebCalls = {
    'identity.get': async () => identityInfo(),
    'identity.atRest': async () => atRest,
    'identity.setHandle': async (handle) => {
      identity = { ...identity, handle };
      storage.setItem(KEYS.identity, JSON.stringify(identity));
      return identityInfo();
    },
    'identity.signLogin': async (challenge) => security.signLogin(challenge),
    ...webIdentityBackupCalls({
      current: () => ({ seed: opened.seed, handle: identity.handle }),
      inCall: () => security.activeCall() !== null,
      save: (imported) => storage.setItem(KEYS.identity, JSON.stringify({ version: 1, ...imported } satisfies StoredIdentity)),
      // After the answer has reached the settings panel.
      restart: () => setTimeout(() => location.reload(), 300),
    }),
    'settings.get': async () => ({ settings, problem: settingsProblem }),
    'settings.update': async (patch) => {
      settings = { ...settings, ...SettingsPatch.parse(patch) };
      storage.setItem(KEYS.settings, JSON.stringify(settings));
      settingsProblem = null;
      return settings;
    },
    'app.status': async (status) => {
      notifier.update(status);
      return null;
    },
    // A browser asks the user for the devices itself; there is no permission to widen here.
    'devices.preview': async () => null,
    'call.prepare': (args) => security.prepare(args),
    'call.checkInvite': async (args) => security.checkInvite(args),
    'e2ee.begin': async (args) => security.begin(args),
    'e2ee.receive': async (args) => security.receive(args),
    'contacts.markVerified': ({ handle, publicKey: key }) => security.markVerified(handle, key),
    'capture.authorize': async (request) => security.authorizeCapture(request),
    'contacts.list': async () => contacts.list(),
    'contacts.add': ({ handle, publicKey: key }) => contacts.add(handle, key),
    'contacts.remove': async ({ handle }) => {
      await contacts.remove(handle);
      return null;
    },
    'contacts.setFavourite': ({ handle, favourite }) => contacts.setFavourite(handle, favourite),
    'contacts.acceptKey': ({ handle }) => contacts.acceptChangedKey(handle),
    'history.list': async () => history.list(),
    'history.record': async (entry) => {
      await history.record(entry);
      return null;
    },
    'history.markSeen': async () => {
      await history.markAllSeen();
      return null;
    },
    'call.end': async ({ callId }) => {
      security.end(callId);
      keyChannels.get(callId)?.port1.close();
      keyChannels.delete(callId);
      return null;
    },
  };

  return {
    kind: 'web',
    calls: validated(calls),
    // A browser tab has no tray, notifications actions or deep links: no host events.
    onEvent: () => () => undefined,
    async keyPort(callId) {
      return channelFor(callId).port2;
    },
    async serverUrl() {
      return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    },
  };
}
