// Keyboard shortcuts for the call actions, shown on the buttons (aria-keyshortcuts and the
// tooltip) and active anywhere in the app. Alt+Shift combinations: they do not clash with text
// entry, screen readers or the browser's own shortcuts.
import { useEffect } from 'react';
import type { CallController } from '../call/callController';

export const SHORTCUTS = {
  accept: 'Alt+Shift+A',
  decline: 'Alt+Shift+D',
  mute: 'Alt+Shift+M',
  hold: 'Alt+Shift+P',
  hangUp: 'Alt+Shift+H',
} as const;

const ACTIONS: Record<string, (calls: CallController) => void> = {
  KeyA: (calls) => void calls.accept(),
  KeyD: (calls) => calls.decline(),
  KeyM: (calls) => calls.toggleMute(),
  KeyP: (calls) => calls.toggleHold(),
  KeyH: (calls) => calls.hangUp(),
};

export function useCallShortcuts(calls: CallController): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) return;
      const action = ACTIONS[event.code];
      if (!action) return;
      event.preventDefault();
      action(calls);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [calls]);
}
