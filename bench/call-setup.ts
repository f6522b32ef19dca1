// Call setup: how fast a call rings and connects, with and without E2EE. Two real Chromium users
// call each other through the real server and the testbed's Janus, E2EE on and off in turn; each
// call measures dial → the callee's UI rings (the "Incoming call" heading appears) and accept → first
// decoded audio at each end (polling getStats on the page's peer connections, as e2e/app/user.ts
// does). Every instant is taken inside the pages with their clocks (comparable across pages on one
// machine), and a timeline of each call's signaling and peer connections shows where the time goes.
// Run: npm run bench:call-setup
import type { Locator, Page } from 'playwright-core';
import type { AppUser } from '../e2e/app/user';
import { BENCH_APP, buildApp, openUser, startServer } from './lib/app';
import { PageProfiler, sourceMapFor, timeBySource, type Profile } from './lib/cpuProfile';
import { runBench } from './lib/harness';
import { table, target } from './lib/results';
import { fmt, median, summarize } from './lib/stats';
import { installTimeline, takeMarks, type Mark } from './lib/timeline';

/** Calls per mode (E2EE on, off), taking turns; then a few more of each with both pages profiled. */
const CALLS_PER_MODE = 20;
const PROFILED_CALLS_PER_MODE = 3;

declare global {
  interface Window {
    __benchRang?: number;
    __benchFirstAudio?: number;
  }
}

const now = (page: Page) => page.evaluate(() => performance.timeOrigin + performance.now());

/** Clicks in the page, returning the page's clock at the click (no Playwright round trip in between). */
function clickAt(locator: Locator): Promise<number> {
  return locator.evaluate((element: HTMLElement) => {
    const at = performance.timeOrigin + performance.now();
    element.click();
    return at;
  });
}

/** Notes when an "Incoming call from <caller>" heading first appears. */
function watchForRinging(page: Page, caller: string): Promise<void> {
  return page.evaluate((name) => {
    window.__benchRang = undefined;
    const heading = `Incoming call from ${name}`;
    const seen = () => [...document.querySelectorAll('h1, h2, h3, [role="heading"]')].some((h) => h.textContent?.trim() === heading);
    const observer = new MutationObserver(() => {
      if (!seen()) return;
      window.__benchRang = performance.timeOrigin + performance.now();
      observer.disconnect();
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  }, caller);
}

/** Polls getStats every 10 ms until decoded (not concealed) audio arrives; notes when. */
function watchForAudio(page: Page): Promise<void> {
  return page.evaluate(() => {
    window.__benchFirstAudio = undefined;
    const stopAt = performance.now() + 20_000;
    const poll = async () => {
      for (const pc of window.__testPeerConnections ?? []) {
        if (pc.connectionState === 'closed') continue;
        let decoded = 0;
        (await pc.getStats()).forEach((report: Record<string, unknown>) => {
          if (report.type === 'inbound-rtp' && report.kind === 'audio')
            decoded += Number(report.totalSamplesReceived ?? 0) - Number(report.concealedSamples ?? 0);
        });
        if (decoded > 0) {
          window.__benchFirstAudio = performance.timeOrigin + performance.now();
          return;
        }
      }
      if (performance.now() < stopAt) setTimeout(() => void poll(), 10);
    };
    void poll();
  });
}

async function waitFor(page: Page, what: '__benchRang' | '__benchFirstAudio'): Promise<number> {
  const handle = await page.waitForFunction((key) => window[key as '__benchRang'], what, { timeout: 20_000, polling: 10 });
  return (await handle.jsonValue()) as number;
}

interface CallRecord {
  e2ee: boolean;
  /** Both pages' main-thread CPU profiles from accept to audio, when asked for. */
  profiles: Profile[];
  ringMs: number;
  callerAudioMs: number;
  calleeAudioMs: number;
  /** Milestones after accept (ms), per side. */
  caller: Mark[];
  callee: Mark[];
}

async function setE2ee(users: AppUser[], on: boolean): Promise<void> {
  for (const user of users) await user.setSetting('End-to-end encryption', on);
}

async function oneCall(caller: AppUser, callee: AppUser, e2ee: boolean, profile = false): Promise<CallRecord> {
  await takeMarks(caller.page);
  await takeMarks(callee.page);
  await caller.page.getByRole('textbox', { name: 'Call', exact: true }).fill(callee.handle);
  await watchForRinging(callee.page, caller.handle);
  const dialedAt = await clickAt(caller.page.getByRole('button', { name: 'Call', exact: true }));
  const rangAt = await waitFor(callee.page, '__benchRang');
  await callee.page.getByRole('button', { name: 'Accept' }).waitFor();
  await Promise.all([watchForAudio(caller.page), watchForAudio(callee.page)]);
  const profilers = profile ? await Promise.all([PageProfiler.start(caller.page), PageProfiler.start(callee.page)]) : [];
  const acceptedAt = await clickAt(callee.page.getByRole('button', { name: 'Accept' }));
  const [callerAudio, calleeAudio] = await Promise.all([waitFor(caller.page, '__benchFirstAudio'), waitFor(callee.page, '__benchFirstAudio')]);
  const profiles = await Promise.all(profilers.map((profiler) => profiler.stop()));
  const relative = (marks: Mark[]): Mark[] => marks.filter(([, at]) => at >= acceptedAt).map(([what, at]) => [what, at - acceptedAt]);
  const record: CallRecord = {
    e2ee,
    profiles,
    ringMs: rangAt - dialedAt,
    callerAudioMs: callerAudio - acceptedAt,
    calleeAudioMs: calleeAudio - acceptedAt,
    caller: relative(await takeMarks(caller.page)),
    callee: relative(await takeMarks(callee.page)),
  };
  await caller.hangUp();
  await Promise.all([caller.endReason(), callee.endReason()]);
  await Promise.all([caller.dismissEnded(), callee.dismissEnded()]);
  // Both clocks must agree to the millisecond for ring times to mean anything: they come from one machine.
  const skew = Math.abs((await now(caller.page)) - (await now(callee.page)));
  if (skew > 50) throw new Error(`the two pages' clocks differ by ${skew} ms`);
  return record;
}

/** The milestones worth showing, in call order, with a readable name. */
const MILESTONES: [name: string, side: 'caller' | 'callee', mark: string | RegExp, nth?: number][] = [
  ['call.accepted reaches the callee (server: state machine + Janus room)', 'callee', 'recv call.accepted'],
  ['call.accepted reaches the caller', 'caller', 'recv call.accepted'],
  ['caller: microphone open (getUserMedia)', 'caller', 'getUserMedia done'],
  ['caller: publish offer sent', 'caller', 'send media.publish'],
  ['caller: Janus answer back', 'caller', 'recv media.answer'],
  ['caller: publisher connected (ICE + DTLS)', 'caller', /^pc\d+ connected$/, 0],
  ['caller: handshake message received (E2EE)', 'caller', 'recv e2ee.handshake', 0],
  ['callee: subscribe offer received', 'callee', 'recv media.subscribe-offer'],
  ['callee: subscriber connected', 'callee', /^pc\d+ connected$/, 1],
  ['caller: subscribe offer received', 'caller', 'recv media.subscribe-offer'],
  ['caller: subscriber connected', 'caller', /^pc\d+ connected$/, 1],
  ['call.active', 'caller', 'recv call.active'],
];

function milestone(record: CallRecord, side: 'caller' | 'callee', mark: string | RegExp, nth = 0): number | undefined {
  const matches = record[side].filter(([what]) => (typeof mark === 'string' ? what === mark : mark.test(what)));
  return matches[nth]?.[1];
}

await runBench(
  'call-setup',
  import.meta.url,
  async ({ recorder, janus, cleanup, deadline }) => {
    await buildApp();
    const server = await startServer(janus!);
    cleanup(() => server.close());
    const users: AppUser[] = [];
    for (const handle of ['alice', 'bob']) {
      const user = await openUser(server.url, handle);
      cleanup(() => user.close());
      await installTimeline(user.page);
      await user.page.reload();
      await user.connection.filter({ hasText: `Connected as ${handle}` }).waitFor();
      users.push(user);
    }
    const [alice, bob] = users as [AppUser, AppUser];
    // A first call of each kind warms up Janus, the server and both pages; it is not counted.
    for (const e2ee of [true, false]) {
      await setE2ee(users, e2ee);
      await oneCall(alice, bob, e2ee);
    }
    const records: CallRecord[] = [];
    for (let i = 0; i < 2 * CALLS_PER_MODE && Date.now() < deadline; i++) {
      const e2ee = i % 2 === 0;
      await setE2ee(users, e2ee);
      records.push(await oneCall(alice, bob, e2ee));
    }

    const profiled: CallRecord[] = [];
    for (let i = 0; i < 2 * PROFILED_CALLS_PER_MODE && Date.now() < deadline; i++) {
      const e2ee = i % 2 === 0;
      await setE2ee(users, e2ee);
      profiled.push(await oneCall(alice, bob, e2ee, true));
    }

    const modes = [true, false].map((e2ee) => {
      const calls = records.filter((r) => r.e2ee === e2ee);
      return {
        e2ee,
        calls,
        ring: summarize(calls.map((r) => r.ringMs)),
        caller: summarize(calls.map((r) => r.callerAudioMs)),
        callee: summarize(calls.map((r) => r.calleeAudioMs)),
        both: summarize(calls.map((r) => Math.max(r.callerAudioMs, r.calleeAudioMs))),
      };
    });
    const [on, off] = modes as [(typeof modes)[0], (typeof modes)[0]];
    const ms = (value: number) => `${fmt(value, 0)} ms`;
    recorder.section(
      `Per call (ms): median / p99 / max over ${on.calls.length} calls with E2EE and ${off.calls.length} without, taking turns`,
      table(
        ['E2EE', 'Dial → callee rings', 'Accept → audio at caller', 'Accept → audio at callee', 'Accept → audio at both'],
        modes.map((m) => [m.e2ee ? 'on' : 'off', ...[m.ring, m.caller, m.callee, m.both].map((s) => `${ms(s.median)} / ${ms(s.p99)} / ${ms(s.max)}`)]),
      ),
    );
    recorder.section(
      'Where accept → audio goes: median time after the callee clicks Accept (ms)',
      table(
        ['Milestone', 'E2EE on', 'E2EE off'],
        [
          ...MILESTONES.map(([name, side, mark, nth]) => {
            const at = (m: typeof on) => {
              const values = m.calls.map((r) => milestone(r, side, mark, nth)).filter((v): v is number => v !== undefined);
              return values.length > 0 ? fmt(median(values), 0) : '—';
            };
            return [name, at(on), at(off)];
          }),
          ['first decoded audio at the caller', fmt(on.caller.median, 0), fmt(off.caller.median, 0)],
          ['first decoded audio at the callee', fmt(on.callee.median, 0), fmt(off.callee.median, 0)],
        ],
      ),
    );
    recorder.addTarget(target('Dial → callee rings, median (E2EE on and off together)', median(records.map((r) => r.ringMs)), 100, 'at most', ' ms', 0));
    recorder.addTarget(target('Accept → first decoded audio at both ends, median, E2EE off', off.both.median, 500, 'at most', ' ms', 0));
    recorder.addTarget(target('Accept → first decoded audio at both ends, median, E2EE on', on.both.median, 500, 'at most', ' ms', 0));
    recorder.addTarget(
      target('What E2EE adds to accept → audio at both ends (difference of medians)', on.both.median - off.both.median, 30, 'at most', ' ms', 0),
    );
    const perCall = (e2ee: boolean) => {
      const calls = profiled.filter((r) => r.e2ee === e2ee);
      const totals = timeBySource(
        calls.flatMap((r) => r.profiles),
        (url) => sourceMapFor(url, BENCH_APP.renderer),
      );
      return new Map([...totals].map(([where, ms]) => [where, ms / Math.max(1, calls.length)]));
    };
    const [profileOn, profileOff] = [perCall(true), perCall(false)];
    const busy = (totals: Map<string, number>) => [...totals].filter(([where]) => where !== '(idle)').reduce((sum, [, ms]) => sum + ms, 0);
    const sources = [...new Set([...profileOn.keys(), ...profileOff.keys()])].filter((where) => where !== '(idle)');
    const rows = sources
      .map((where) => [where, profileOn.get(where) ?? 0, profileOff.get(where) ?? 0] as const)
      .sort((a, b) => b[1] - b[2] - (a[1] - a[2]))
      .slice(0, 12)
      .map(([where, withE2ee, without]) => [`\`${where}\``, fmt(withE2ee, 1), fmt(without, 1), fmt(withE2ee - without, 1)]);
    recorder.section(
      `Main-thread CPU from accept to audio, both pages, ms per call (sampling profiler, ${PROFILED_CALLS_PER_MODE} more calls of each kind, not counted above)`,
      [
        table(
          ['Where (original source, through the source maps)', 'E2EE on', 'E2EE off', 'Difference'],
          [...rows, ['**all but idle**', fmt(busy(profileOn), 1), fmt(busy(profileOff), 1), fmt(busy(profileOn) - busy(profileOff), 1)]],
        ),
        '',
        "Sorted by what E2EE adds. `(program)` is the browser's own native work on the main thread, `(garbage collector)` V8's.",
      ].join('\n'),
    );
    // The caller's chain of milestones: where the gap between E2EE on and off opens up.
    const chain: [string, string | RegExp, number?][] = [
      ['call.accepted', 'recv call.accepted'],
      ['microphone open', 'getUserMedia done'],
      ['publish offer sent', 'send media.publish'],
      ['Janus answer', 'recv media.answer'],
      ['publisher connected', /^pc\d+ connected$/, 0],
      ['subscribe offer', 'recv media.subscribe-offer'],
      ['subscriber connected', /^pc\d+ connected$/, 1],
    ];
    const medianAt = (m: typeof on, mark: string | RegExp, nth = 0) =>
      median(m.calls.map((r) => milestone(r, 'caller', mark, nth)).filter((v): v is number => v !== undefined));
    const gaps = chain.map(([name, mark, nth]) => [name, medianAt(on, mark, nth) - medianAt(off, mark, nth)] as const);
    const openings = gaps.map(([name, gap], i) => [`${i === 0 ? 'accept' : gaps[i - 1]![0]} and ${name}`, gap - (i === 0 ? 0 : gaps[i - 1]![1])] as const);
    openings.push(['subscriber connected and first audio', on.caller.median - off.caller.median - gaps.at(-1)![1]]);
    const widest = [...openings].sort((a, b) => b[1] - a[1]).slice(0, 3);
    const noble = [...profileOn].filter(([where]) => where.startsWith('@noble/')).reduce((sum, [, ms]) => sum + ms, 0);
    const worker = profileOn.get('(native) Worker') ?? 0;
    recorder.note(
      `Where E2EE's ${fmt(on.both.median - off.both.median, 0)} ms open up on the caller's side (E2EE on minus off, medians): ` +
        widest.map(([name, ms]) => `${fmt(ms, 0)} ms between ${name}`).join(', ') +
        ". Before its publish offer, an E2EE call makes the handshake's first message (the E2EE worker is already running — it starts while the call rings — and the microphone opens meanwhile, and the rest of the handshake no longer waits for the publish round trip); after the subscriber connects, frames are dropped until the handshake has delivered the keys. " +
        `The profile: E2EE adds ${fmt(busy(profileOn) - busy(profileOff), 0)} ms of main-thread CPU per call over both pages — ${fmt(noble, 0)} ms of it in @noble (the Noise handshake's X25519 and Ed25519, which the web client's host runs on the page's main thread; the desktop app runs them in its main process), ` +
        `${fmt(worker, 0)} ms creating the worker, the rest mostly \`(program)\`: the browser's own native work on the main thread (IPC messages, style and layout, WebRTC), which a JavaScript profile cannot split further and which also grows with the benchmark's own 10 ms getStats polling over a longer call setup. ` +
        "Everything runs on this machine's 2 cores beside two browsers, Janus and the server. What is left to do: X25519 and Ed25519 from WebCrypto (native in Chromium) or the web host's handshake in a worker would take the handshake's CPU off the page's main thread (in the desktop app it already runs in the main process).",
    );
    recorder.note(
      'Instants are taken inside the pages: the click is dispatched from page script with its timestamp, ringing is the moment a MutationObserver sees the "Incoming call from …" heading, first audio is the first getStats poll (every 10 ms) showing decoded, not concealed, samples. The two browsers share this machine\'s clock.',
    );
  },
  { testbed: true },
);
