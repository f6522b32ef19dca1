// Test support: writes a Janus recording (.mjr, version 2) of Opus audio without Janus, so the
// pipeline's real tools (janus-pp-rec, ffmpeg, pocketsphinx) can be tested on known speech. The
// layout is Janus's own (record.c): "MJR00002", a length-prefixed JSON header, then per packet
// "MEET", ms since the start, the length and the RTP packet.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Opus packets from an Ogg Opus file (the two header packets left out). */
export function oggPackets(ogg: Uint8Array): Uint8Array[] {
  const packets: Uint8Array[] = [];
  let current: number[] = [];
  for (let offset = 0; offset + 27 <= ogg.length;) {
    if (String.fromCharCode(...ogg.subarray(offset, offset + 4)) !== 'OggS') throw new Error('not an Ogg page');
    const segments = ogg[offset + 26] ?? 0;
    let body = offset + 27 + segments;
    for (let i = 0; i < segments; i++) {
      const size = ogg[offset + 27 + i] ?? 0;
      current.push(...ogg.subarray(body, body + size));
      body += size;
      if (size < 255) {
        packets.push(Uint8Array.from(current));
        current = [];
      }
    }
    offset = body;
  }
  return packets.slice(2);
}

/** Encodes `wavFile` as 20 ms Opus frames and writes them as Janus would have recorded them. */
export async function writeOpusMjr(wavFile: string, mjrFile: string, firstPacketMicros: number): Promise<void> {
  const ogg = `${mjrFile}.ogg`;
  await run('ffmpeg', [
    '-v',
    'error',
    '-nostdin',
    '-y',
    '-i',
    wavFile,
    '-ar',
    '48000',
    '-ac',
    '1',
    '-c:a',
    'libopus',
    '-b:a',
    '32k',
    '-frame_duration',
    '20',
    ogg,
  ]);
  const packets = oggPackets(await readFile(ogg));
  const info = Buffer.from(JSON.stringify({ t: 'a', c: 'opus', s: firstPacketMicros - 5000, u: firstPacketMicros }));
  const parts: Buffer[] = [Buffer.from('MJR00002'), u16(info.length), info];
  packets.forEach((payload, i) => {
    const rtp = Buffer.alloc(12);
    rtp[0] = 0x80;
    rtp[1] = 111;
    rtp.writeUInt16BE(i & 0xffff, 2);
    rtp.writeUInt32BE((i * 960) >>> 0, 4);
    rtp.writeUInt32BE(0x1234_5678, 8);
    const frame = Buffer.concat([rtp, Buffer.from(payload)]);
    parts.push(Buffer.from('MEET'), u32(i * 20), u16(frame.length), frame);
  });
  await writeFile(mjrFile, Buffer.concat(parts));
}

function u16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(value);
  return bytes;
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}
