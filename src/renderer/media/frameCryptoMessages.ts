// Messages between the page and the E2EE frame worker (a discriminated union on `type`, parsed
// on arrival like every other boundary).
import { z } from 'zod';

export type FrameOperation = 'encrypt' | 'decrypt';
const Operation = z.enum(['encrypt', 'decrypt']);

export const WorkerRequest = z.discriminatedUnion('type', [
  /** The port on which the host will deliver this call's frame keys. */
  z.object({ type: z.literal('key-port'), port: z.instanceof(MessagePort) }),
  /** A sender's or receiver's encoded streams (legacy createEncodedStreams path). */
  z.object({ type: z.literal('streams'), operation: Operation, readable: z.instanceof(ReadableStream), writable: z.instanceof(WritableStream) }),
  /** Move the send side to the next key epoch. */
  z.object({ type: z.literal('rekey') }),
  /** Reply with the frame counters. */
  z.object({ type: z.literal('report') }),
  /** Reply with (and reset) the per-frame transform times. */
  z.object({ type: z.literal('timings') }),
]);
export type WorkerRequest = z.infer<typeof WorkerRequest>;

export interface WorkerCounters {
  type: 'counters';
  encrypted: number;
  decrypted: number;
  dropped: Record<string, number>;
  epoch: number;
}

export type WorkerEvent =
  | WorkerCounters
  | { type: 'keys-ready' }
  | { type: 'timings'; encrypt: number[]; decrypt: number[] }
  | { type: 'error'; message: string };
