// What the recording and transcription tests need beside AppUser: the test speech
// (espeak-ng, resampled by sox), the word error rate, the capture part of the call view read by role and name,
// downloads from the Recordings view, a raw signaling client logged in as a user of the web
// client (bypassing its UI), and a comparison of received audio with the speech that was sent.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Locator } from 'playwright-core';
import WebSocket from 'ws';
import { readWav, type PcmAudio } from '../../src/server/recording/speech';
import { fromBase64Url, toBase64Url } from '../../src/shared/encoding';
import { loginChallengeBytes, type CaptureKind, type TranscriptSegment } from '../../src/shared/protocol';
import { captureStatementBytes } from '../../src/shared/recordingPolicy';
import { SignalingClient } from '../../src/shared/signalingClient';
import type { AppUser } from './user';

const run = promisify(execFile);

/**
 * The test speech: espeak-ng's klatt4 voice, then `sox -R` to 16 kHz mono 16-bit, with `pauseSeconds`
 * of silence after it (Chromium loops the file, so each loop is one utterance).
 */
export async function makeTestSpeech(words: string, file: string, pauseSeconds = 1.5): Promise<void> {
  const raw = `${file}.espeak.wav`;
  await run('espeak-ng', ['-v', 'en-us+klatt4', '-s', '175', '-w', raw, words]);
  await run('sox', ['-R', raw, '-r', '16000', '-c', '1', '-b', '16', file, 'pad', '0', String(pauseSeconds)]);
}

/** Word error rate: word-level edit distance over the reference's length. */
export function wordErrorRate(reference: readonly string[], hypothesis: readonly string[]): number {
  let previous = Array.from({ length: hypothesis.length + 1 }, (_, j) => j);
  for (let i = 1; i <= reference.length; i++) {
    const current = [i];
    for (let j = 1; j <= hypothesis.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1);
      current[j] = Math.min(substitution, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1);
    }
    previous = current;
  }
  return reference.length === 0 ? 0 : (previous[hypothesis.length] ?? 0) / reference.length;
}

/** The Record / Transcribe part of one user's call view. */
export class CaptureUi {
  constructor(private readonly user: AppUser) {}

  private get page() {
    return this.user.page;
  }

  get section(): Locator {
    return this.page.getByRole('region', { name: 'Recording and transcription' });
  }

  button(name: 'Record' | 'Stop recording' | 'Transcribe' | 'Stop transcription'): Locator {
    return this.section.getByRole('button', { name, exact: true });
  }

  get indicator(): Locator {
    return this.page.getByRole('status', { name: 'Capture indicator' });
  }

  get notice(): Locator {
    return this.page.getByRole('status', { name: 'Capture notice' });
  }

  get problem(): Locator {
    return this.page.getByRole('alert', { name: 'Capture problem' });
  }

  /** The transcript on screen: speaker and text of each segment, in order. */
  async transcript(): Promise<{ speaker: string; text: string }[]> {
    const items = this.page.getByRole('region', { name: 'Transcript' }).getByRole('listitem');
    const result: { speaker: string; text: string }[] = [];
    for (const item of await items.all()) {
      result.push({ speaker: (await item.locator('.speaker').textContent()) ?? '', text: (await item.locator('.text').textContent()) ?? '' });
    }
    return result;
  }

  /**
   * Clicks a control through React's own handler, as a renderer whose UI gate failed would: the
   * disabled attribute is not consulted, so what stops the request is the host's policy.
   */
  async clickBypassingTheUi(name: 'Record' | 'Transcribe'): Promise<void> {
    await this.button(name).evaluate((button) => {
      const key = Object.keys(button).find((name) => name.startsWith('__reactProps$'));
      const props = key ? (button as unknown as Record<string, { onClick?: () => void }>)[key] : undefined;
      if (!props?.onClick) throw new Error('the button has no React click handler');
      props.onClick();
    });
  }
}

/** Downloads one file from the Recordings view (open) and returns its bytes and the URL it came from. */
export async function downloadFromRecordings(user: AppUser, item: Locator, label: string): Promise<{ bytes: Buffer; url: string }> {
  const [download] = await Promise.all([user.page.waitForEvent('download', { timeout: 15_000 }), item.getByRole('button', { name: label }).click()]);
  const path = await download.path();
  return { bytes: await readFile(path), url: download.url() };
}

/**
 * Signs `messages` in `user`'s page with the identity key the web host keeps: the non-extractable
 * WebCrypto key in IndexedDB, which any script of the page can sign with (though not read), or the
 * seed where the page keeps one. Returns the public key and the signatures.
 */
export async function signInPage(user: AppUser, messages: Uint8Array[]): Promise<{ publicKey: string; signatures: string[] }> {
  return user.page.evaluate(
    async (list) => {
      const stored = JSON.parse(window.localStorage.getItem('softphone/identity') ?? '{}') as { publicKey?: string; seed?: string };
      const encode = (data: ArrayBuffer) =>
        btoa(String.fromCharCode(...new Uint8Array(data)))
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=+$/, '');
      const decode = (text: string) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
      let key: CryptoKey;
      let publicKey = stored.publicKey;
      if (stored.seed) {
        const pkcs8 = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20, ...decode(stored.seed)]);
        key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, true, ['sign']);
        const jwk = await crypto.subtle.exportKey('jwk', key);
        publicKey = jwk.x;
      } else {
        key = await new Promise<CryptoKey>((resolve, reject) => {
          const open = indexedDB.open('softphone');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction('keys').objectStore('keys').get('identity');
            get.onerror = () => reject(get.error);
            get.onsuccess = () => resolve(get.result as CryptoKey);
          };
        });
      }
      const signatures = await Promise.all(list.map(async (bytes) => encode(await crypto.subtle.sign('Ed25519', key, new Uint8Array(bytes)))));
      return { publicKey: publicKey ?? '', signatures };
    },
    messages.map((message) => Array.from(message)),
  );
}

/**
 * Logs in to the server as `user` from outside its browser, with signatures its page makes with
 * its identity key (as any script of the page can). The server gives a user one connection, so
 * the browser is logged out until its client reconnects (half a second later);
 * `session.activeCallId` names the call. `captureStatement` gives the capture statement of that
 * call signed with that key (made at once, before the browser is back), as the web host would
 * sign it, whatever the host's recording policy says.
 */
export async function rawClientAs(
  user: AppUser,
  serverUrl: string,
): Promise<{ client: SignalingClient; activeCallId: string | null; captureStatement: (callId: string, kind: CaptureKind) => string }> {
  const { publicKey } = await signInPage(user, []);
  const client = new SignalingClient(new WebSocket(new URL('/ws', serverUrl).href.replace(/^http/, 'ws')));
  const session = await client.login({
    publicKey,
    signLogin: async ({ nonce, origin }) => (await signInPage(user, [loginChallengeBytes(origin, nonce)])).signatures[0] ?? '',
  });
  const kinds: CaptureKind[] = ['recording', 'transcription'];
  const callId = session.activeCallId;
  const { signatures } = callId
    ? await signInPage(
        user,
        kinds.map((kind) => captureStatementBytes({ callId, kind }, fromBase64Url(publicKey))),
      )
    : { signatures: [] };
  const captureStatement = (forCall: string, kind: CaptureKind) => {
    if (forCall !== callId) throw new Error(`statements were signed for the active call ${String(callId)}, not ${forCall}`);
    return signatures[kinds.indexOf(kind)] ?? '';
  };
  return { client, activeCallId: callId, captureStatement };
}

/** A newly registered account that took part in no call, straight over the WebSocket (with `secret` as its identity key). */
export async function rawNewAccount(handle: string, serverUrl: string, secret = ed25519.utils.randomSecretKey()): Promise<SignalingClient> {
  const client = new SignalingClient(new WebSocket(new URL('/ws', serverUrl).href.replace(/^http/, 'ws')));
  await client.login(
    {
      publicKey: toBase64Url(ed25519.getPublicKey(secret)),
      signLogin: ({ nonce, origin }) => toBase64Url(ed25519.sign(loginChallengeBytes(origin, nonce), secret)),
    },
    { handle },
  );
  return client;
}

/** Loudness every 10 ms (RMS), the outline of speech that survives a codec. */
function envelope(audio: PcmAudio): Float64Array {
  const frame = Math.round(audio.sampleRate / 100);
  const result = new Float64Array(Math.floor(audio.samples.length / frame));
  for (let i = 0; i < result.length; i++) {
    let sum = 0;
    for (let j = i * frame; j < (i + 1) * frame; j++) sum += ((audio.samples[j] ?? 0) / 32768) ** 2;
    result[i] = Math.sqrt(sum / frame);
  }
  return result;
}

/**
 * How closely `received` follows `sent` at its best alignment: the highest Pearson correlation of
 * their loudness outlines over every offset of one loop of `sent` within `received` (1 = the same
 * outline; unrelated speech or noise stays far lower).
 */
export function speechMatch(sent: Uint8Array, received: Uint8Array): number {
  const template = envelope(readWav(sent));
  const signal = envelope(readWav(received));
  const n = template.length;
  const mean = (values: Float64Array) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const templateMean = mean(template);
  const templateDeviation = Math.sqrt(template.reduce((sum, value) => sum + (value - templateMean) ** 2, 0));
  let best = -1;
  for (let offset = 0; offset + n <= signal.length; offset++) {
    const window = signal.subarray(offset, offset + n);
    const windowMean = mean(window);
    let covariance = 0;
    let variance = 0;
    for (let i = 0; i < n; i++) {
      covariance += ((template[i] ?? 0) - templateMean) * ((window[i] ?? 0) - windowMean);
      variance += ((window[i] ?? 0) - windowMean) ** 2;
    }
    if (variance > 0) best = Math.max(best, covariance / (templateDeviation * Math.sqrt(variance)));
  }
  return best;
}

/** The transcript file a participant downloaded. */
export interface TranscriptFile {
  recordingId: string;
  durationMs: number;
  segments: TranscriptSegment[];
}
