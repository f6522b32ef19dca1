// The one way main answers the renderer: every channel of the desktop contract is registered here,
// and every call is checked before a handler sees it — the sender must be the app's own page in
// the main frame (like VS Code's validatedIpcMain), and the arguments must parse with the
// channel's schema. Results are parsed too, so a handler bug cannot leak an unexpected shape.
// Argument values are never logged: they include handshake messages and signatures.
import type { WebFrameMain } from 'electron';
import type { ZodError } from 'zod';
import { desktopContract, type BridgeArgs, type BridgeResult, type DesktopChannel } from '../shared/bridge';
import { isAppUrl } from '../shared/desktop/appOrigin';
import { ipcChannel } from '../shared/desktop/ipcChannels';

export const BRIDGE_CHANNELS = Object.keys(desktopContract) as DesktopChannel[];

/** The part of Electron's ipcMain the wrapper uses. */
export interface InvokeRegistry<E> {
  handle(channel: string, listener: (event: E, ...args: unknown[]) => Promise<unknown>): void;
}

/** One handler per channel: the parsed arguments, and the invoke event for handlers that need the sender. */
export type BridgeHandlers<E> = {
  [C in DesktopChannel]: (args: BridgeArgs<C>, event: E) => Promise<BridgeResult<C>> | BridgeResult<C>;
};

/** The sender check for Electron's invoke events: the app's page, in its main frame. */
export function isAppMainFrame(frame: Pick<WebFrameMain, 'url' | 'parent'> | null | undefined): boolean {
  return frame !== null && frame !== undefined && frame.parent === null && isAppUrl(frame.url);
}

export function registerBridgeHandlers<E>(ipcMain: InvokeRegistry<E>, handlers: BridgeHandlers<E>, isTrustedSender: (event: E) => boolean): void {
  for (const channel of BRIDGE_CHANNELS) {
    ipcMain.handle(ipcChannel(channel), (event, ...args) => handleInvoke(channel, handlers, isTrustedSender, event, args));
  }
}

async function handleInvoke<C extends DesktopChannel, E>(
  channel: C,
  handlers: BridgeHandlers<E>,
  isTrustedSender: (event: E) => boolean,
  event: E,
  rawArgs: unknown[],
): Promise<BridgeResult<C>> {
  const wire = ipcChannel(channel);
  if (!isTrustedSender(event)) {
    console.warn(`IPC ${wire} refused: the sender is not the app window`);
    throw new Error(`${wire}: refused, the request did not come from the app window`);
  }
  const { args: argsSchema, result: resultSchema } = desktopContract[channel];
  const args = argsSchema.safeParse(rawArgs);
  if (!args.success) {
    console.warn(`IPC ${wire} refused: invalid arguments at ${issuePaths(args.error)}`);
    throw new Error(`${wire}: invalid arguments: ${describeIssues(args.error)}`);
  }
  const handler: (args: BridgeArgs<C>, event: E) => Promise<BridgeResult<C>> | BridgeResult<C> = handlers[channel];
  // zod widens a generic channel's parsed arguments to the union of all channels; they are C's.
  const result = resultSchema.safeParse(await handler(args.data as BridgeArgs<C>, event));
  if (!result.success) {
    console.error(`IPC ${wire}: the handler returned an invalid result at ${issuePaths(result.error)}`);
    throw new Error(`${wire}: the host produced an invalid result`);
  }
  return result.data as BridgeResult<C>;
}

function issuePaths(error: ZodError): string {
  return error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
}

/** Where and what, from the schema's own messages (they name the expected shape, not the value). */
function describeIssues(error: ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}
