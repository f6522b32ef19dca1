import { describe, expect, it } from 'vitest';
import { EXIT, exitStatus, parseTestbedArgs } from './testbed-options';

describe('parseTestbedArgs', () => {
  it('reads the mode, --keep-logs and the command after "--"', () => {
    expect(parseTestbedArgs(['run', '--', 'npx', 'vitest', 'run', '--', 'x'])).toEqual({
      mode: 'run',
      keepLogs: undefined,
      command: ['npx', 'vitest', 'run', '--', 'x'],
    });
    expect(parseTestbedArgs(['local', '--keep-logs', '/tmp/l', '--', 'true'])).toEqual({ mode: 'local', keepLogs: '/tmp/l', command: ['true'] });
    expect(parseTestbedArgs(['run', '--keep-logs=/tmp/l', '--', 'true'])).toMatchObject({ keepLogs: '/tmp/l' });
  });

  it.each([[[]], [['serve', '--', 'x']], [['run', 'x']], [['run', '--']], [['run', '--verbose', '--', 'x']], [['run', '--keep-logs', '--', 'x']]])(
    'refuses %j',
    (argv) => {
      expect(parseTestbedArgs(argv)).toHaveProperty('error');
    },
  );
});

describe('exitStatus', () => {
  it('passes codes through and maps signals the way shells do', () => {
    expect(exitStatus(0, null)).toBe(0);
    expect(exitStatus(7, null)).toBe(7);
    expect(exitStatus(null, 'SIGINT')).toBe(130);
    expect(exitStatus(null, 'SIGTERM')).toBe(143);
    expect(EXIT.unavailable).toBe(3);
  });
});
