// @vitest-environment happy-dom
// Controls and items say what they are in their current state: Mute/Unmute, Hold/Resume, Share
// screen/Stop sharing, and a transcript-only item called a transcript.
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { describe, expect, it } from 'vitest';
import { CallScreen } from './CallScreen';
import { SessionContext } from './context';
import { recordingKind } from './RecordingsPanel';
import type { AppSession } from '../app/appSession';
import { setState, type CallView } from '../store/appStore';
import type { RecordingSummary } from '../../shared/protocol';

function callScreen(fields: Partial<CallView>): string {
  setState({
    connection: { state: 'online', handle: 'alice' },
    call: {
      callId: 'AAAAAAAAAAAAAAAAAAAAAA',
      direction: 'outgoing',
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
    },
  });
  const container = document.createElement('div');
  const root = createRoot(container);
  act(() =>
    root.render(
      <SessionContext.Provider value={{ calls: {}, capture: {}, host: { kind: 'web' } } as unknown as AppSession}>
        <CallScreen />
      </SessionContext.Provider>,
    ),
  );
  const html = container.innerHTML;
  act(() => root.unmount());
  return html;
}

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const button = (html: string, name: string) => html.match(new RegExp(`<button[^>]*>${name}</button>`))?.[0];

describe('CallScreen toggles', () => {
  it('offers Mute and Hold, not pressed, in a plain call', () => {
    const html = callScreen({});
    expect(button(html, 'Mute')).toContain('aria-pressed="false"');
    expect(button(html, 'Hold')).toContain('aria-pressed="false"');
  });

  it('turns into Unmute and Resume, pressed, once muted and held', () => {
    const html = callScreen({ muted: true, onHold: true });
    expect(button(html, 'Unmute')).toContain('aria-pressed="true"');
    expect(button(html, 'Resume')).toContain('aria-pressed="true"');
    expect(button(html, 'Mute')).toBeUndefined();
    expect(button(html, 'Hold')).toBeUndefined();
  });

  it('offers Share screen in a video call, and Stop sharing, pressed, while sharing; none in an audio call', () => {
    expect(button(callScreen({}), 'Share screen')).toBeUndefined();
    const idle = callScreen({ video: true });
    expect(button(idle, 'Share screen')).toContain('aria-pressed="false"');
    const sharing = callScreen({ video: true, sharingScreen: true });
    expect(button(sharing, 'Stop sharing')).toContain('aria-pressed="true"');
    expect(button(sharing, 'Share screen')).toBeUndefined();
    expect(sharing).toContain('bob sees your shared screen.');
  });
});

describe('recordingKind', () => {
  const item = (files: RecordingSummary['files']) =>
    ({
      id: 'r',
      callId: 'c',
      createdAt: 0,
      durationMs: 0,
      participants: { caller: 'alice', callee: 'bob' },
      status: 'ready',
      problem: null,
      files,
    }) as RecordingSummary;
  it('calls an item with only transcript files a transcript, and one with audio a recording', () => {
    expect(recordingKind(item(['transcript.txt', 'transcript.json']))).toBe('Transcript');
    expect(recordingKind(item(['mixed.wav', 'caller.wav', 'callee.wav', 'transcript.txt']))).toBe('Recording');
    expect(recordingKind(item([]))).toBe('Recording');
  });
});
