// The words of a host error for the user. Electron wraps a handler's error as "Error invoking
// remote method '<channel>': <Name>: <message>"; the user needs only the message.
const ELECTRON_WRAPPER = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/;

export function hostErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(ELECTRON_WRAPPER, '');
}
