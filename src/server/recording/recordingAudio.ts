// Turns what Janus recorded of one speaker (.mjr files of RTP packets) into audio files:
// `janus-pp-rec` (package janus-tools) writes the Opus stream out as an Ogg file, then ffmpeg
// decodes it to 16 kHz mono 16-bit WAV, shifted so that every speaker's track starts at the
// same moment. Then optional silencing (outside the times recording was on) and the mix.
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Span } from './speech';
import { runTool } from './tools';

export interface AudioTools {
  /** `janus-pp-rec` by default. */
  readonly janusPpRec?: string;
  /** `ffmpeg` by default. */
  readonly ffmpeg?: string;
}

/** Every WAV the pipeline writes: what the transcriber wants, and plenty for speech. */
const AUDIO_SAMPLE_RATE = 16_000;

const PP_REC_TIMEOUT_MS = 120_000;
const FFMPEG_TIMEOUT_MS = 300_000;
const WAV_OUTPUT = ['-ar', String(AUDIO_SAMPLE_RATE), '-ac', '1', '-c:a', 'pcm_s16le', '-bitexact', '-map_metadata', '-1'];

export class RecordingAudio {
  private readonly janusPpRec: string;
  private readonly ffmpeg: string;

  constructor(tools: AudioTools = {}) {
    this.janusPpRec = tools.janusPpRec ?? 'janus-pp-rec';
    this.ffmpeg = tools.ffmpeg ?? 'ffmpeg';
  }

  /** The programs this needs, with the Debian package of each. */
  get programs(): readonly { program: string; packageName: string }[] {
    return [
      { program: this.janusPpRec, packageName: 'janus-tools' },
      { program: this.ffmpeg, packageName: 'ffmpeg' },
    ];
  }

  /**
   * When Janus wrote the recording's first packet, in µs since the epoch (from the .mjr header,
   * whose `u` is the first packet's time and `s` the file's creation), or null when unknown.
   */
  async firstPacketMicros(mjrFile: string): Promise<number | null> {
    const header = await runTool({ program: this.janusPpRec, args: ['-j', '-d', '0', mjrFile], timeoutMs: PP_REC_TIMEOUT_MS, packageName: 'janus-tools' });
    const json = /\{.*\}/s.exec(header)?.[0];
    if (!json) return null;
    try {
      const fields = JSON.parse(json) as { u?: unknown; s?: unknown };
      const micros = typeof fields.u === 'number' && fields.u > 0 ? fields.u : fields.s;
      return typeof micros === 'number' && micros > 0 ? micros : null;
    } catch {
      return null;
    }
  }

  /** Decodes one speaker's .mjr to `<workDir>/<name>.wav`, starting `delayMs` late. */
  async decode(mjrFile: string, delayMs: number, workDir: string, name: string): Promise<string> {
    const opus = path.join(workDir, `${name}.opus`);
    const wav = path.join(workDir, `${name}.wav`);
    await runTool({ program: this.janusPpRec, args: ['-d', '1', mjrFile, opus], timeoutMs: PP_REC_TIMEOUT_MS, packageName: 'janus-tools' });
    const delay = Math.max(0, Math.round(delayMs));
    await this.runFfmpeg(['-i', opus, ...(delay > 0 ? ['-af', `adelay=delays=${delay}:all=1`] : []), ...WAV_OUTPUT, wav]);
    return wav;
  }

  /** Writes `input` to `output` with everything outside `keep` silenced. */
  async silenceOutside(input: string, keep: readonly Span[], output: string): Promise<void> {
    const inside = keep.map((span) => `between(t,${(span.startMs / 1000).toFixed(3)},${(span.endMs / 1000).toFixed(3)})`).join('+');
    await this.runFfmpeg(['-i', input, '-af', `volume=volume=0:enable='not(${inside || '0'})'`, ...WAV_OUTPUT, output]);
  }

  /** Mixes the speakers' tracks into one, as long as the longest, without lowering either. */
  async mix(inputs: readonly string[], output: string): Promise<void> {
    if (inputs.length === 1) {
      await this.runFfmpeg(['-i', inputs[0] ?? '', ...WAV_OUTPUT, output]);
      return;
    }
    const sources = inputs.flatMap((input) => ['-i', input]);
    await this.runFfmpeg([...sources, '-filter_complex', `amix=inputs=${inputs.length}:duration=longest:normalize=0`, ...WAV_OUTPUT, output]);
  }

  private async runFfmpeg(args: readonly string[]): Promise<void> {
    await runTool({ program: this.ffmpeg, args: ['-v', 'error', '-nostdin', '-y', ...args], timeoutMs: FFMPEG_TIMEOUT_MS, packageName: 'ffmpeg' });
  }
}

/** The length of a 16-bit PCM WAV file the pipeline wrote, from its header. */
export async function wavDurationMs(file: string): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    for (let offset = 12; offset + 8 <= bytesRead;) {
      const size = head.readUInt32LE(offset + 4);
      if (head.toString('latin1', offset, offset + 4) === 'data') {
        const bytesPerSecond = head.readUInt32LE(28);
        return bytesPerSecond > 0 ? Math.round((Math.min(size, fileSize - offset - 8) / bytesPerSecond) * 1000) : 0;
      }
      offset += 8 + size + (size % 2);
    }
    return 0;
  } finally {
    await handle.close();
  }
}
