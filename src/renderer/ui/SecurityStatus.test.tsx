// The security panel, rendered to markup (no DOM needed): what it warns about in each state.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { SessionContext } from './context';
import { SecurityStatus, WEB_CLIENT_TRUST } from './SecurityStatus';
import type { AppSession } from '../app/appSession';
import { WEB_IDENTITY_NON_EXTRACTABLE, WEB_IDENTITY_SEED_IN_STORAGE } from '../host/webHost';
import type { CallView } from '../store/appStore';
import type { IdentityAtRest } from '../../shared/bridge';

function call(fields: Partial<CallView>): CallView {
  return {
    callId: 'AAAAAAAAAAAAAAAAAAAAAA',
    direction: 'incoming',
    peer: 'bob',
    phase: 'active',
    video: false,
    peerTrust: 'pinned',
    e2ee: null,
    e2eeWanted: { mine: true, peer: true },
    muted: false,
    onHold: false,
    peerOnHold: false,
    cameraOff: false,
    sharingScreen: false,
    activeSince: null,
    counters: null,
    stats: null,
    remoteStream: null,
    inviteProblem: null,
    ...fields,
  };
}

function render(view: CallView, hostKind: 'electron' | 'web' = 'electron'): string {
  return renderToStaticMarkup(
    <SessionContext.Provider value={{ host: { kind: hostKind } } as unknown as AppSession}>
      <SecurityStatus call={view} />
    </SessionContext.Provider>,
  );
}

const alerts = (html: string) => [...html.matchAll(/<p role="alert"[^>]*>(.*?)<\/p>/g)].map((match) => match[1]!.replace(/<!-- -->/g, ''));

describe('SecurityStatus', () => {
  it('warns of a changed key while ringing and still once a standard call is answered, without a security code to compare', () => {
    expect(alerts(render(call({ phase: 'incoming', peerTrust: 'changed' })))).toEqual([
      'bob’s security key has changed since your last call. Compare the security code before you trust this call.',
    ]);
    const standard = alerts(render(call({ peerTrust: 'changed', e2ee: { state: 'standard', reason: 'peer-off' } })));
    expect(standard).toHaveLength(1);
    expect(standard[0]).toContain('bob’s security key has changed since your last call.');
    expect(standard[0]).not.toMatch(/compare the security code/i);
  });

  it('warns while ringing when the caller’s signed decision in the invite does not verify', () => {
    const problem = 'the decision signature does not match this call, setting, keys, handshake and time';
    expect(alerts(render(call({ phase: 'incoming', inviteProblem: problem })))).toEqual([
      `This call could not be verified as coming from bob: ${problem}. Someone may have altered it on the way. If you accept, it will fail.`,
    ]);
    expect(alerts(render(call({ phase: 'incoming' })))).toEqual([]);
  });

  it('shows no key warning in a standard call with a known key', () => {
    expect(alerts(render(call({ e2ee: { state: 'standard', reason: 'peer-off' } })))).toEqual([]);
  });

  it('says an end-to-end encrypted call is post-quantum: protected against recording for later decryption', () => {
    const html = render(call({ e2ee: { state: 'established', securityCode: '12345678901234567890' } })).replace(/<!-- -->/g, '');
    expect(html).toContain('End-to-end encrypted, post-quantum');
    expect(html).toContain('Protected against recording for later decryption');
    expect(render(call({ e2ee: { state: 'standard', reason: 'peer-off' } }))).not.toContain('post-quantum');
  });

  it('says before the call is up whether it will be end-to-end encrypted, from both sides’ decisions', () => {
    const ringing = (mine: boolean, peer: boolean | null) => render(call({ phase: 'incoming', e2eeWanted: { mine, peer } }));
    expect(ringing(true, true)).toContain('The call will be end-to-end encrypted: you and bob both have it on.');
    expect(ringing(true, false)).toContain('bob has end-to-end encryption off: the call will use standard encryption, although you have it on.');
    expect(ringing(false, true)).toContain('bob asks for end-to-end encryption, but you have it off: the call will use standard encryption.');
    expect(ringing(false, false)).toContain('You and bob both have end-to-end encryption off');
    expect(ringing(true, null)).toContain('the call is end-to-end encrypted if bob has it on too.');
    expect(ringing(true, true)).not.toContain('Encryption is set up when the call is answered.');
  });

  it('reads the peer’s trust from the call: verified, or a button to verify', () => {
    const established = { state: 'established' as const, securityCode: '12345678901234567890' };
    expect(render(call({ peerTrust: 'verified', e2ee: established }))).toContain('You verified bob.');
    expect(render(call({ peerTrust: 'pinned', e2ee: established }))).toContain('Mark bob as verified');
  });

  it('tells a web client user, in an end-to-end encrypted call, that the server serving the page is not kept out', () => {
    const established = { state: 'established' as const, securityCode: '12345678901234567890' };
    const web = render(call({ e2ee: established }), 'web');
    expect(web).toContain(WEB_CLIENT_TRUST);
    expect(WEB_CLIENT_TRUST).toMatch(/not whoever runs the server that serves this page/);
    expect(WEB_CLIENT_TRUST).toMatch(/desktop app/);
    expect(render(call({ e2ee: established }), 'electron')).not.toContain('comes from the server');
  });

  it('says in a web client’s call how this browser keeps the identity key: non-extractable, or signed with @noble/curves', () => {
    const e2ee = { state: 'established' as const, securityCode: '12345678901234567890' };
    const web = (identityAtRest: IdentityAtRest) =>
      renderToStaticMarkup(
        <SessionContext.Provider value={{ host: { kind: 'web' } } as unknown as AppSession}>
          <SecurityStatus call={call({ e2ee })} identityAtRest={identityAtRest} />
        </SessionContext.Provider>,
      );
    expect(web(WEB_IDENTITY_SEED_IN_STORAGE)).toContain('this browser has no WebCrypto Ed25519, so the web client signs with its own code (@noble/curves)');
    expect(web(WEB_IDENTITY_NON_EXTRACTABLE)).toContain('a WebCrypto key that the page can sign with but not read');
    expect(web(WEB_IDENTITY_NON_EXTRACTABLE)).not.toContain('@noble/curves');
  });
});
