// Speech to text for one speaker's audio, behind an interface another engine can replace. The
// engine the server ships with is Debian's offline pocketsphinx (packages pocketsphinx and
// pocketsphinx-en-us): the audio is cut into stretches of speech at its silences, and
// `pocketsphinx_batch` decodes them all in one run (one model load), each as a whole utterance
// with batch cepstral mean normalisation — measurably better than its live decoder.
import { constants } from 'node:fs';
import { access, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findSpeech, intersectSpans, readWav, type Span } from './speech';
import { findExecutable, missingProgram, runTool, ToolError } from './tools';

/** What was said in one stretch of time (ms from the start of the audio file). */
export interface TimedText {
  readonly startMs: number;
  readonly endMs: number;
  readonly text: string;
}

export interface Transcriber {
  /** What keeps the engine from running on this server (not installed, no model), or null. */
  problem(): Promise<string | null>;
  /**
   * Transcribes one speaker's audio — a 16 kHz mono 16-bit WAV file — inside `within` only. Scratch
   * files go to `workDir`. Stretches in which nothing was recognised are left out.
   */
  transcribe(wavFile: string, within: readonly Span[], workDir: string): Promise<TimedText[]>;
}

/** Where Debian's pocketsphinx-en-us puts the US English model. */
const DEBIAN_EN_US_MODEL = '/usr/share/pocketsphinx/model/en-us';

export interface PocketsphinxOptions {
  /** `pocketsphinx_batch` by default, looked up on PATH. */
  readonly program?: string;
  /** A folder with the acoustic model (`en-us/`), `en-us.lm.bin` and `cmudict-en-us.dict`. */
  readonly modelDir?: string;
}

const SAMPLE_RATE = 16_000;
/** pocketsphinx's frame rate: control-file ranges are in frames of 10 ms. */
const FRAME_MS = 10;

export class PocketsphinxTranscriber implements Transcriber {
  private readonly program: string;
  private readonly model: { hmm: string; lm: string; dict: string };

  constructor(options: PocketsphinxOptions = {}) {
    this.program = options.program ?? 'pocketsphinx_batch';
    const modelDir = options.modelDir ?? DEBIAN_EN_US_MODEL;
    this.model = { hmm: path.join(modelDir, 'en-us'), lm: path.join(modelDir, 'en-us.lm.bin'), dict: path.join(modelDir, 'cmudict-en-us.dict') };
  }

  async problem(): Promise<string | null> {
    if (!(await findExecutable(this.program))) return missingProgram(path.basename(this.program), 'pocketsphinx').message;
    for (const file of [path.join(this.model.hmm, 'mdef'), this.model.lm, this.model.dict]) {
      try {
        await access(file, constants.R_OK);
      } catch {
        return `the speech recognition model is not installed on the server (Debian package pocketsphinx-en-us; ${file} is missing)`;
      }
    }
    return null;
  }

  async transcribe(wavFile: string, within: readonly Span[], workDir: string): Promise<TimedText[]> {
    const audio = readWav(await readFile(wavFile));
    if (audio.sampleRate !== SAMPLE_RATE) throw new Error(`pocketsphinx needs 16 kHz audio, not ${audio.sampleRate} Hz`);
    const spans = intersectSpans(findSpeech(audio), within);
    if (spans.length === 0) return [];

    const name = path.basename(wavFile, '.wav');
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error('the audio file name must be plain (letters, digits, "-" and "_")');
    const control = path.join(workDir, `${name}.ctl`);
    const hypotheses = path.join(workDir, `${name}.hyp`);
    const log = path.join(workDir, `${name}.pocketsphinx.log`);
    const lines = spans.map((span, i) => `${name} ${Math.floor(span.startMs / FRAME_MS)} ${Math.ceil(span.endMs / FRAME_MS)} u${i}`);
    await writeFile(control, `${lines.join('\n')}\n`);
    const speechSeconds = spans.reduce((sum, span) => sum + (span.endMs - span.startMs), 0) / 1000;
    try {
      await runTool({
        program: this.program,
        args: [
          '-adcin',
          'yes',
          '-cepdir',
          path.dirname(wavFile),
          '-cepext',
          '.wav',
          '-ctl',
          control,
          '-hyp',
          hypotheses,
          '-cmn',
          'batch',
          '-hmm',
          this.model.hmm,
          '-lm',
          this.model.lm,
          '-dict',
          this.model.dict,
          '-logfn',
          log,
        ],
        timeoutMs: 60_000 + speechSeconds * 3000,
        packageName: 'pocketsphinx',
      });
    } catch (error) {
      if (error instanceof ToolError && error.reason === 'failed') throw new ToolError(await explainFailure(error, log), 'failed');
      throw error;
    }
    const texts = parseHypotheses(await readFile(hypotheses, 'utf8'));
    return spans.flatMap((span, i) => {
      const text = texts.get(`u${i}`);
      return text ? [{ startMs: span.startMs, endMs: span.endMs, text }] : [];
    });
  }
}

/** Reads pocketsphinx's hypothesis file: one `words (uttid score)` line per utterance. */
export function parseHypotheses(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^(.*?)\s*\((\S+)\s+-?\d+\)\s*$/.exec(line);
    if (match?.[2]) result.set(match[2], (match[1] ?? '').trim().replace(/\s+/g, ' '));
  }
  return result;
}

/** pocketsphinx writes its errors to its log file, not to stderr. */
async function explainFailure(error: ToolError, log: string): Promise<string> {
  const lines = await readFile(log, 'utf8').catch(() => '');
  const last = lines
    .split('\n')
    .filter((line) => line.startsWith('ERROR:') || line.startsWith('FATAL'))
    .pop();
  return last ? `pocketsphinx_batch failed: ${last.replace(/^\w+: "[^"]*", line \d+: /, '').slice(0, 200)}` : error.message;
}
