// The web client's identity key. Where the browser has WebCrypto Ed25519, the key is a
// non-extractable CryptoKey kept in IndexedDB: page script can sign with it but not read it, so a
// script cannot copy the identity away to use it elsewhere. What stays readable in the page's
// storage is the public key and the X25519 secret of the call handshake's static key, which the
// handshake computes with in script (see shared/crypto/identitySigner.ts). Where the browser lacks
// WebCrypto Ed25519 (or cannot keep a CryptoKey), the seed stays in localStorage and
// @noble/curves signs with it, as before.
import { ed25519 } from '@noble/curves/ed25519.js';
import type { IdentitySigner } from '../../shared/crypto/identitySigner';

/** Where the non-extractable identity key is kept between page loads. */
export interface CryptoKeyStore {
  get(): Promise<CryptoKey | null>;
  put(key: CryptoKey): Promise<void>;
}

const DATABASE = 'softphone';
const OBJECT_STORE = 'keys';
const IDENTITY_RECORD = 'identity';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/** The identity CryptoKey in this site's IndexedDB (a CryptoKey is stored as is, still non-extractable). */
export function indexedDbKeyStore(factory: () => IDBFactory = () => indexedDB): CryptoKeyStore {
  const open = async () => {
    const req = factory().open(DATABASE, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(OBJECT_STORE);
    return request(req);
  };
  const inStore = async <T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const db = await open();
    try {
      const transaction = db.transaction(OBJECT_STORE, mode);
      const result = await request(run(transaction.objectStore(OBJECT_STORE)));
      await new Promise<void>((resolve, reject) => {
        transaction.oncomplete = () => resolve();
        transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
        transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
      });
      return result;
    } finally {
      db.close();
    }
  };
  return {
    get: async () => {
      const value: unknown = await inStore('readonly', (store) => store.get(IDENTITY_RECORD));
      return value instanceof CryptoKey ? value : null;
    },
    put: async (key) => {
      await inStore('readwrite', (store) => store.put(key, IDENTITY_RECORD));
    },
  };
}

/** The PKCS #8 encoding of an Ed25519 seed (RFC 8410), the form WebCrypto imports a private key in. */
export function ed25519Pkcs8(seed: Uint8Array): Uint8Array<ArrayBuffer> {
  if (seed.length !== 32) throw new Error('an identity seed is 32 bytes');
  const prefix = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
  const encoded = new Uint8Array(prefix.length + 32);
  encoded.set(prefix);
  encoded.set(seed, prefix.length);
  return encoded;
}

/**
 * Imports `seed` as a non-extractable WebCrypto Ed25519 signing key, and checks that it signs as
 * the seed does (a signature that @noble/curves verifies under the seed's public key). Rejects
 * where the browser has no WebCrypto Ed25519.
 */
export async function importNonExtractable(subtle: SubtleCrypto, seed: Uint8Array): Promise<CryptoKey> {
  const pkcs8 = ed25519Pkcs8(seed);
  try {
    const key = await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
    const probe = new TextEncoder().encode('softphone/identity/probe');
    const signature = new Uint8Array(await subtle.sign('Ed25519', key, probe));
    if (!ed25519.verify(signature, probe, ed25519.getPublicKey(seed))) throw new Error('WebCrypto Ed25519 signed differently from the seed');
    return key;
  } finally {
    pkcs8.fill(0);
  }
}

/**
 * Signs with a WebCrypto Ed25519 private key (non-extractable). `handshakeSecret` is the X25519
 * form of the same identity, kept beside it: it cannot be derived from the CryptoKey.
 */
export function cryptoKeySigner(subtle: SubtleCrypto, privateKey: CryptoKey, publicKey: Uint8Array, handshakeSecret: Uint8Array): IdentitySigner {
  if (publicKey.length !== 32 || handshakeSecret.length !== 32) throw new Error('identity keys are 32 bytes');
  const secret = handshakeSecret.slice();
  return {
    publicKey: publicKey.slice(),
    sign: async (message) => new Uint8Array(await subtle.sign('Ed25519', privateKey, message as Uint8Array<ArrayBuffer>)),
    handshakeSecret: () => secret.slice(),
  };
}
