// startJanus with a stand-in for the janus binary: a Node script that reads its "configuration"
// (what to do) from the -C file, writes the -L log, and listens on 127.0.0.1 when told to.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JANUS_CONFIG_FILE } from './testbed-janus-config';
import { inNamespace, startJanus } from './testbed-janus';
import type { RunningJanus } from './testbed-janus';

const FAKE_JANUS = `#!/usr/bin/env node
const { readFileSync, appendFileSync } = require('node:fs');
const { createServer } = require('node:net');
const arg = (flag) => process.argv[process.argv.indexOf(flag) + 1];
const [behaviour, port] = readFileSync(arg('-C'), 'utf8').trim().split(' ');
const log = (line) => appendFileSync(arg('-L'), line + '\\n');
log('Starting fake Janus');
if (behaviour === 'crash') {
  log('[ERR] [config.c] Unsupported value for ws_acl');
  process.exit(1);
}
if (behaviour === 'listen' || behaviour === 'stubborn') createServer().listen(Number(port), '127.0.0.1', () => log('Websockets server started'));
if (behaviour === 'stubborn') process.on('SIGTERM', () => log('ignoring SIGTERM'));
else process.on('SIGTERM', () => { log('Bye!'); process.exit(0); });
setInterval(() => {}, 1000);
`;

describe('startJanus', () => {
  let workDir: string;
  let janus: RunningJanus | undefined;
  const port = 40_000 + Math.floor(Math.random() * 20_000);

  async function start(behaviour: string, options: { readyTimeoutMs?: number; stopTimeoutMs?: number } = {}) {
    await writeFile(join(workDir, JANUS_CONFIG_FILE), `${behaviour} ${port}\n`);
    janus = await startJanus({ configDir: workDir, logFile: join(workDir, 'janus.log'), wsPort: port, janusBinary: join(workDir, 'janus'), ...options });
    return janus;
  }

  beforeEach(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'janus-launcher-test-'));
    await writeFile(join(workDir, 'janus'), FAKE_JANUS);
    await chmod(join(workDir, 'janus'), 0o755);
  });

  afterEach(async () => {
    await janus?.stop().catch(() => undefined);
    janus = undefined;
    await rm(workDir, { recursive: true, force: true });
  });

  it('resolves once Janus listens on its port, and stops it with SIGTERM', async () => {
    const running = await start('listen');
    expect(running.pid).toBeGreaterThan(0);
    await expect(running.stop()).resolves.toEqual({ code: 0, signal: null });
    await expect(running.stop()).resolves.toEqual({ code: 0, signal: null });
    await expect(running.exited).resolves.toEqual({ code: 0, signal: null });
  });

  it('reports an early exit with the end of the log', async () => {
    const failure = start('crash');
    await expect(failure).rejects.toThrow(/Janus exited \(code 1\) before listening on port \d+/);
    await expect(failure).rejects.toThrow(/Unsupported value for ws_acl/);
  });

  it('gives up when Janus never listens, and stops it', async () => {
    await expect(start('silent', { readyTimeoutMs: 2000 })).rejects.toThrow(/did not listen on port \d+ within 2000 ms[\s\S]*Starting fake Janus/);
  });

  it('kills a Janus that ignores SIGTERM after the stop timeout', async () => {
    const running = await start('stubborn', { stopTimeoutMs: 300 });
    await expect(running.stop()).resolves.toEqual({ code: null, signal: 'SIGKILL' });
  });
});

describe('inNamespace', () => {
  it('prefixes ip netns exec only when a namespace is given', () => {
    expect(inNamespace(undefined, 'ss', ['-Hltn'])).toEqual(['ss', ['-Hltn']]);
    expect(inNamespace('sptb-1-janus', 'ss', ['-Hltn'])).toEqual(['ip', ['netns', 'exec', 'sptb-1-janus', 'ss', '-Hltn']]);
  });
});
