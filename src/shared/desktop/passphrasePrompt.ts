// The passphrase window's wire: the two IPC channels between its preload and main, and nothing
// else. No Node or Electron imports: the window's sandboxed preload bundles this module too.

/** The preload sends `{ passphrase, repeat }` on this channel (invoke); main answers `{ problem }`. */
export const PASSPHRASE_ANSWER_CHANNEL = 'softphone-passphrase:answer';
/** The preload sends this when the user cancels (the button or Escape). */
export const PASSPHRASE_CANCEL_CHANNEL = 'softphone-passphrase:cancel';
