// Share screen / Stop sharing in a video call. In the web client the browser's own picker chooses
// the screen or window; in the desktop app this picker shows main's list (names and thumbnails)
// and tells main the pick, which main then gives the capture (main/screenShare.ts).
import { useState } from 'react';
import { useSession } from './context';
import { hostErrorText } from '../host/hostError';
import { setState, type CallView } from '../store/appStore';
import type { ScreenSource } from '../../shared/bridge';

type Picker = { state: 'closed' } | { state: 'loading' } | { state: 'open'; sources: ScreenSource[] };

export function ScreenShareControl({ call, disabled }: { call: CallView; disabled: boolean }) {
  const { calls, host } = useSession();
  const [picker, setPicker] = useState<Picker>({ state: 'closed' });
  if (!call.video) return null;

  const fail = (error: unknown) => {
    setPicker({ state: 'closed' });
    setState({ notice: `The screen could not be shared: ${hostErrorText(error)}` });
  };
  const start = () => {
    if (host.kind !== 'electron') return void calls.shareScreen();
    setPicker({ state: 'loading' });
    host.calls['screenShare.sources']().then((sources) => setPicker({ state: 'open', sources }), fail);
  };
  const pick = (id: string) => {
    if (host.kind !== 'electron') return;
    setPicker({ state: 'closed' });
    host.calls['screenShare.choose']({ id }).then(() => calls.shareScreen(), fail);
  };

  return (
    <>
      <button
        type="button"
        aria-pressed={call.sharingScreen}
        aria-expanded={host.kind === 'electron' ? picker.state !== 'closed' : undefined}
        onClick={() => void (call.sharingScreen ? calls.stopScreenShare() : start())}
        disabled={disabled || picker.state === 'loading'}
      >
        {call.sharingScreen ? 'Stop sharing' : 'Share screen'}
      </button>
      {picker.state === 'open' && (
        <section
          className="screen-picker"
          role="dialog"
          aria-label="Choose what to share"
          onKeyDown={(event) => {
            if (event.key === 'Escape') setPicker({ state: 'closed' });
          }}
        >
          <h3>Choose a screen or window to share</h3>
          {picker.sources.length === 0 && <p>There is no screen or window to share.</p>}
          <ul>
            {picker.sources.map((source, index) => (
              <li key={source.id}>
                <button
                  type="button"
                  autoFocus={index === 0}
                  onClick={() => pick(source.id)}
                  aria-label={`${source.kind === 'screen' ? 'Screen' : 'Window'}: ${source.name}`}
                >
                  {source.thumbnail ? <img src={source.thumbnail} alt="" /> : null}
                  <span>{source.name}</span>
                </button>
              </li>
            ))}
          </ul>
          <button type="button" onClick={() => setPicker({ state: 'closed' })}>
            Cancel
          </button>
        </section>
      )}
    </>
  );
}
