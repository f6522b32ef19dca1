// @vitest-environment happy-dom
// The Share screen control: the browser's picker on the web; in the desktop app, main's list of
// screens and windows with names and thumbnails, a pick that main learns before the capture, and Cancel.
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionContext } from './context';
import { ScreenShareControl } from './ScreenShare';
import type { AppSession } from '../app/appSession';
import { getState, setState, type CallView } from '../store/appStore';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const PNG = 'data:image/png;base64,iVBORw0KGgo=';
const CALL = { video: true, sharingScreen: false } as CallView;

let root: Root | null = null;
afterEach(() => {
  act(() => root?.unmount());
  root = null;
});

function render(kind: 'web' | 'electron', call: CallView = CALL) {
  const calls = { shareScreen: vi.fn(async () => undefined), stopScreenShare: vi.fn(async () => undefined) };
  const hostCalls = {
    'screenShare.sources': vi.fn(async () => [
      { id: 'screen:0:0', name: 'Entire screen', kind: 'screen' as const, thumbnail: PNG },
      { id: 'window:42:0', name: 'Notes', kind: 'window' as const, thumbnail: '' },
    ]),
    'screenShare.choose': vi.fn(async () => null),
  };
  const session = { calls, host: { kind, calls: hostCalls } } as unknown as AppSession;
  const container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  act(() =>
    root!.render(
      <SessionContext.Provider value={session}>
        <ScreenShareControl call={call} disabled={false} />
      </SessionContext.Provider>,
    ),
  );
  const button = (name: string) =>
    [...container.querySelectorAll('button')].find((element) => (element.getAttribute('aria-label') ?? element.textContent) === name);
  const click = async (name: string) => {
    const element = button(name);
    if (!element) throw new Error(`no button ${name}`);
    await act(async () => element.click());
  };
  return { container, calls, hostCalls, button, click };
}

describe('ScreenShareControl', () => {
  it('asks the browser directly in the web client', async () => {
    const ui = render('web');
    await ui.click('Share screen');
    expect(ui.calls.shareScreen).toHaveBeenCalledOnce();
    expect(ui.container.querySelector('[role="dialog"]')).toBeNull();
  });

  it("shows main's screens and windows with names and thumbnails in the desktop app, and shares the one picked", async () => {
    const ui = render('electron');
    await ui.click('Share screen');
    const dialog = ui.container.querySelector('[role="dialog"]');
    expect(dialog?.getAttribute('aria-label')).toBe('Choose what to share');
    expect(ui.button('Screen: Entire screen')?.querySelector('img')?.getAttribute('src')).toBe(PNG);
    expect(ui.button('Window: Notes')?.textContent).toBe('Notes');
    expect(ui.calls.shareScreen).not.toHaveBeenCalled();

    await ui.click('Window: Notes');
    expect(ui.hostCalls['screenShare.choose']).toHaveBeenCalledWith({ id: 'window:42:0' });
    await vi.waitFor(() => expect(ui.calls.shareScreen).toHaveBeenCalledOnce());
    expect(ui.container.querySelector('[role="dialog"]')).toBeNull();
  });

  it('closes the picker on Cancel without sharing anything', async () => {
    const ui = render('electron');
    await ui.click('Share screen');
    await ui.click('Cancel');
    expect(ui.container.querySelector('[role="dialog"]')).toBeNull();
    expect(ui.hostCalls['screenShare.choose']).not.toHaveBeenCalled();
    expect(ui.calls.shareScreen).not.toHaveBeenCalled();
  });

  it('closes the picker on Escape, and focuses the first source when it opens', async () => {
    const ui = render('electron');
    await ui.click('Share screen');
    expect(document.activeElement).toBe(ui.button('Screen: Entire screen'));
    await act(async () => document.activeElement?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })));
    expect(ui.container.querySelector('[role="dialog"]')).toBeNull();
    expect(ui.calls.shareScreen).not.toHaveBeenCalled();
  });

  it('says why when main refuses the list', async () => {
    const ui = render('electron');
    setState({ notice: null });
    ui.hostCalls['screenShare.sources'].mockRejectedValueOnce(
      new Error("Error invoking remote method 'softphone:screenShare.sources': Error: The screen can be shared only during a call."),
    );
    await ui.click('Share screen');
    expect(getState().notice).toBe('The screen could not be shared: The screen can be shared only during a call.');
    expect(ui.container.querySelector('[role="dialog"]')).toBeNull();
  });

  it('stops sharing with Stop sharing, in either host', async () => {
    const ui = render('electron', { ...CALL, sharingScreen: true });
    await ui.click('Stop sharing');
    expect(ui.calls.stopScreenShare).toHaveBeenCalledOnce();
    expect(ui.hostCalls['screenShare.sources']).not.toHaveBeenCalled();
  });
});
