import { describe, expect, it } from 'vitest';
import { parseHypotheses, PocketsphinxTranscriber } from './transcriber';

describe('pocketsphinx', () => {
  it('reads the hypothesis file, keeping utterances in which nothing was recognised as empty', () => {
    const hyp = 'one two three (u0 -10866)\n (u1 -3021)\nnine  eight (u2 -7001)\n';
    expect([...parseHypotheses(hyp)]).toEqual([
      ['u0', 'one two three'],
      ['u1', ''],
      ['u2', 'nine eight'],
    ]);
  });

  it('says which package to install when the program or the model is missing', async () => {
    expect(await new PocketsphinxTranscriber({ program: '/nonexistent/pocketsphinx_batch' }).problem()).toBe(
      'pocketsphinx_batch is not installed on the server (Debian package pocketsphinx)',
    );
    expect(await new PocketsphinxTranscriber({ program: process.execPath, modelDir: '/nonexistent' }).problem()).toBe(
      'the speech recognition model is not installed on the server (Debian package pocketsphinx-en-us; /nonexistent/en-us/mdef is missing)',
    );
  });
});
