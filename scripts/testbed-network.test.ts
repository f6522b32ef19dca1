import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BLOCK_COUNT, createNetwork, deleteNetwork, planNetwork, sameBlock, setupSteps, testbedUnavailableReason } from './testbed-network';

const run = promisify(execFile);
const unavailable = await testbedUnavailableReason();

describe('planNetwork', () => {
  it('derives names and a /30 from the block index', () => {
    expect(planNetwork('run', 0)).toEqual({
      mode: 'run',
      index: 0,
      janusNamespace: 'sptb-0-janus',
      clientNamespace: 'sptb-0-client',
      janusInterface: 'sptb0j',
      clientInterface: 'sptb0c',
      clientIp: '10.231.0.1',
      janusIp: '10.231.0.2',
    });
    expect(planNetwork('local', 65)).toMatchObject({ clientNamespace: undefined, clientIp: '10.231.1.5', janusIp: '10.231.1.6' });
  });

  it('gives every block its own addresses and interface names Linux accepts', () => {
    const last = planNetwork('run', BLOCK_COUNT - 1);
    expect(last.janusIp).toBe('10.231.255.254');
    expect(last.janusInterface.length).toBeLessThanOrEqual(15);
    const addresses = new Set<string>();
    for (let index = 0; index < BLOCK_COUNT; index += 97) {
      const { clientIp, janusIp } = planNetwork('run', index);
      expect(sameBlock(`${clientIp}/30`, janusIp)).toBe(true);
      addresses.add(janusIp);
    }
    expect(addresses.size).toBe(Math.ceil(BLOCK_COUNT / 97));
    expect(() => planNetwork('run', BLOCK_COUNT)).toThrow(/out of range/);
  });
});

describe('setupSteps', () => {
  it('joins a client namespace to the Janus namespace with IPv6 off on both ends', () => {
    const steps = setupSteps(planNetwork('run', 3)).map((step) => step.join(' '));
    expect(steps[0]).toBe('ip netns add sptb-3-client');
    expect(steps).toContain('ip link add sptb3c netns sptb-3-client type veth peer name sptb3j netns sptb-3-janus');
    expect(steps).toContain('ip -n sptb-3-client addr add 10.231.0.13/30 dev sptb3c');
    expect(steps).toContain('ip -n sptb-3-janus addr add 10.231.0.14/30 dev sptb3j');
    expect(steps.filter((step) => step.includes('disable_ipv6'))).toHaveLength(2);
    expect(steps.some((step) => step.includes('arp_'))).toBe(false);
  });

  it('keeps the client end in the root namespace with arp_ignore=1 and arp_announce=2 in local mode', () => {
    const steps = setupSteps(planNetwork('local', 3)).map((step) => step.join(' '));
    expect(steps).toContain('ip link add sptb3c type veth peer name sptb3j netns sptb-3-janus');
    expect(steps).toContain('sh -c echo 1 > /proc/sys/net/ipv4/conf/sptb3c/arp_ignore');
    expect(steps).toContain('sh -c echo 2 > /proc/sys/net/ipv4/conf/sptb3c/arp_announce');
    expect(steps).toContain('ip addr add 10.231.0.13/30 dev sptb3c');
    expect(steps.some((step) => step.includes('sptb-3-client'))).toBe(false);
  });
});

describe('sameBlock', () => {
  it('tells whether a root-namespace address overlaps a testbed block', () => {
    expect(sameBlock('10.231.0.13/30', '10.231.0.14')).toBe(true);
    expect(sameBlock('10.0.0.5/8', '10.231.0.14')).toBe(true);
    expect(sameBlock('10.231.0.17/30', '10.231.0.14')).toBe(false);
    expect(sameBlock('192.168.1.10/24', '10.231.0.14')).toBe(false);
    expect(sameBlock('127.0.0.1/8', '10.231.0.14')).toBe(false);
  });
});

describe('createNetwork', () => {
  it('skips a block another testbed holds, builds the next one, and deletes it completely', async (context) => {
    if (unavailable) context.skip(unavailable);
    const taken = planNetwork('run', randomInt(BLOCK_COUNT - 1));
    await run('ip', ['netns', 'add', taken.janusNamespace]);
    try {
      const picks = [taken.index, taken.index + 1];
      const network = await createNetwork('run', () => picks.shift() ?? randomInt(BLOCK_COUNT));
      try {
        expect(network.index).not.toBe(taken.index);
        const { stdout } = await run('ip', ['-n', network.janusNamespace, '-br', 'addr', 'show', 'dev', network.janusInterface]);
        expect(stdout).toContain(`${network.janusIp}/30`);
      } finally {
        await deleteNetwork(network);
      }
      const { stdout: namespaces } = await run('ip', ['netns', 'list']);
      expect(namespaces).not.toContain(network.janusNamespace);
      expect(namespaces).not.toContain(network.clientNamespace);
    } finally {
      await run('ip', ['netns', 'del', taken.janusNamespace]);
    }
  });
});
