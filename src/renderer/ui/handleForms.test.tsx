// @vitest-environment happy-dom
// The dialer, Add contact and Remove, driven as a user would in a DOM: what invalid handles are
// answered with, that one message shows at a time, and that Remove asks first.
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ContactsView } from './ContactsView';
import { SessionContext } from './context';
import { Dialer } from './Dialer';
import { FirstRun } from './FirstRun';
import { Home } from './Home';
import type { AppSession } from '../app/appSession';
import { getState, setState } from '../store/appStore';
import type { ContactView } from '../../shared/bridge';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const bob: ContactView = { handle: 'bob', publicKey: 'A'.repeat(43), fingerprint: '0000 0000', verified: false, favourite: false, keyChanged: false };

function fakeSession() {
  return {
    dismissNotice: () => setState({ notice: null }),
    calls: { dial: vi.fn(async () => undefined) },
    contacts: { add: vi.fn(async () => undefined), remove: vi.fn(async () => undefined), setFavourite: vi.fn(), acceptKey: vi.fn() },
  };
}

let root: Root;
let container: HTMLElement;
let session: ReturnType<typeof fakeSession>;

function show(element: React.ReactNode) {
  act(() => root.render(<SessionContext.Provider value={session as unknown as AppSession}>{element}</SessionContext.Provider>));
}

function type(label: string, text: string) {
  const input = container.querySelector<HTMLInputElement>(`#${label}`)!;
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, text);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

function press(name: string) {
  const button = [...container.querySelectorAll('button')].find((element) => element.textContent?.trim() === name);
  if (!button) throw new Error(`no button “${name}”`);
  act(() => button.click());
}

function submit() {
  act(() => {
    container.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  });
}

const alerts = () => [...container.querySelectorAll('[role="alert"]')].map((element) => element.textContent);
const rule = 'A handle is 3–32 characters: a–z, 0–9, ".", "_" or "-", starting and ending with a letter or digit.';

beforeEach(() => {
  session = fakeSession();
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  setState({
    connection: { state: 'online', handle: 'alice' },
    identity: { handle: 'alice', publicKey: 'A'.repeat(43), fingerprint: '' },
    contacts: [],
    notice: null,
    history: [],
  });
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

describe('Dialer', () => {
  it('answers an invalid handle with the rule, not as if it were empty, and shows the rule as a hint', () => {
    show(<Dialer />);
    expect(container.textContent).toContain(rule);
    submit();
    expect(alerts()).toEqual(['Enter the handle of the person to call.']);
    for (const bad of ['bób', 'x'.repeat(200), 'x; DROP TABLE--']) {
      type('dial-handle', bad);
      submit();
      expect(alerts()).toEqual([rule]);
    }
    expect(session.calls.dial).not.toHaveBeenCalled();
    type('dial-handle', ' Bob ');
    submit();
    expect(session.calls.dial).toHaveBeenCalledWith('bob', { video: false });
    expect(alerts()).toEqual([]);
  });

  it('clears the last notice when the user tries again, and when they change tabs', () => {
    show(<Home />);
    setState({ notice: 'No one is registered as “nobody”.' });
    type('dial-handle', 'bób');
    submit();
    expect(getState().notice).toBeNull();
    setState({ notice: 'No one is registered as “nobody”.' });
    press('Contacts');
    expect(getState().notice).toBeNull();
  });
});

describe('FirstRun', () => {
  it('states the handle rule as the schema has it (a–z, not “letters”)', () => {
    show(<FirstRun />);
    expect(container.querySelector('.hint')?.textContent).toBe('3–32 characters: a–z, 0–9, ".", "_" or "-", starting and ending with a letter or digit.');
  });
});

describe('Add contact', () => {
  it('answers an invalid handle with the rule and shows the rule as a hint', () => {
    show(<ContactsView />);
    expect(container.textContent).toContain(rule);
    submit();
    expect(alerts()).toEqual(['Enter the handle of the person to add.']);
    type('add-contact', 'x; DROP TABLE--');
    submit();
    expect(alerts()).toEqual([rule]);
    expect(session.contacts.add).not.toHaveBeenCalled();
  });

  it('removes a contact only once the user confirms, and can keep it', () => {
    setState({ contacts: [bob] });
    show(<ContactsView />);
    press('Remove bob');
    expect(session.contacts.remove).not.toHaveBeenCalled();
    expect(container.textContent).toContain('Remove bob and the key saved for them?');
    press('Keep bob');
    expect(container.textContent).not.toContain('Remove bob and the key saved for them?');
    press('Remove bob');
    press('Yes, remove bob');
    expect(session.contacts.remove).toHaveBeenCalledWith('bob');
  });
});
