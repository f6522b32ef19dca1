// Reading a handle typed into a form: empty, breaking the rule (the schema's own words), or valid.
import { Handle } from '../../shared/protocol';

export type HandleInput = { ok: true; handle: Handle } | { ok: false; problem: string };

/** `whenEmpty` is what to ask for when nothing was typed; anything else is checked against the handle rule. */
export function readHandle(typed: string, whenEmpty: string): HandleInput {
  const text = typed.trim().toLowerCase();
  if (!text) return { ok: false, problem: whenEmpty };
  const parsed = Handle.safeParse(text);
  if (parsed.success) return { ok: true, handle: parsed.data };
  const message = parsed.error.issues[0]?.message ?? 'not a valid handle';
  return { ok: false, problem: `${message.charAt(0).toUpperCase()}${message.slice(1)}.` };
}
