// Messages between the page and the E2EE frame worker (a discriminated union on `type`, parsed
// on arrival like every other boundary).
import { z } from 'zod';
import type { TransformTimesReport } from './transformTimes';

export type FrameOperation = 'encrypt' | 'decrypt';
const Operation = z.enum(['encrypt', 'decrypt']);
const Kind = z.enum(['audio', 'video']);

/** What a sender's or receiver's transform does, and to which kind of media. */
export const TransformOptions = z.object({ operation: Operation, kind: Kind });
export type TransformOptions = z.infer<typeof TransformOptions>;

export const WorkerRequest = z.discriminatedUnion('type', [
  /** The port on which the host will deliver this call's frame keys. */
  z.object({ type: z.literal('key-port'), port: z.instanceof(MessagePort) }),
  /** A sender's or receiver's encoded streams (legacy createEncodedStreams path). */
  z.object({
    type: z.literal('streams'),
    operation: Operation,
    kind: Kind,
    readable: z.instanceof(ReadableStream),
    writable: z.instanceof(WritableStream),
  }),
  /** Move the send side to the next key epoch. */
  z.object({ type: z.literal('rekey') }),
  /** Reply with the frame counters and transform times. */
  z.object({ type: z.literal('report') }),
]);
export type WorkerRequest = z.infer<typeof WorkerRequest>;

/** What the worker has done for the call so far. */
export interface FrameCounters {
  encrypted: number;
  decrypted: number;
  dropped: Record<string, number>;
  epoch: number;
  /** Time per frame in the encrypt and decrypt transforms, by media kind, over the most recent frames. */
  times: TransformTimesReport;
  /** The times are rounded to the browser's coarse clock (100 µs in Chromium) because the page is not cross-origin isolated. */
  coarseTimer: boolean;
}

export type WorkerCounters = FrameCounters & { type: 'counters' };

export type WorkerEvent = WorkerCounters | { type: 'error'; message: string };
