// The testbed's network: a namespace for the Janus test host joined by a veth pair to either a
// client namespace (`run`) or the root namespace (`local`). Janus never gathers candidates on
// loopback, and tests may not send to this machine's real address, so media crosses the veth.
//
// Each testbed takes one /30 out of 10.231.0.0/16. The block's index is part of every name, and
// `ip netns add` fails when the name exists, so creating the Janus namespace claims the block:
// parallel runs cannot pick the same names or addresses.
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type TestbedMode = 'run' | 'local';

export interface TestbedNetwork {
  readonly mode: TestbedMode;
  readonly index: number;
  readonly janusNamespace: string;
  /** Where the command runs in `run` mode; `local` mode runs it in the root namespace. */
  readonly clientNamespace: string | undefined;
  readonly janusInterface: string;
  /** The client's end of the veth pair (in the root namespace in `local` mode). */
  readonly clientInterface: string;
  readonly janusIp: string;
  readonly clientIp: string;
}

/** A command line: the program, then its arguments. */
export type Command = [string, ...string[]];

export const BLOCK_COUNT = 16_384;
const NAME_PREFIX = 'sptb';

/** Names and addresses of the testbed that owns block `index`. */
export function planNetwork(mode: TestbedMode, index: number): TestbedNetwork {
  if (!Number.isInteger(index) || index < 0 || index >= BLOCK_COUNT) throw new Error(`block index out of range: ${index}`);
  const third = index >> 6;
  const fourth = (index & 63) << 2;
  return {
    mode,
    index,
    janusNamespace: `${NAME_PREFIX}-${index}-janus`,
    clientNamespace: mode === 'run' ? `${NAME_PREFIX}-${index}-client` : undefined,
    // Interface names are limited to 15 characters: these are at most 10.
    janusInterface: `${NAME_PREFIX}${index}j`,
    clientInterface: `${NAME_PREFIX}${index}c`,
    clientIp: `10.231.${third}.${fourth + 1}`,
    janusIp: `10.231.${third}.${fourth + 2}`,
  };
}

/** The `ip` and sysctl steps that build `network`, after its Janus namespace exists. */
export function setupSteps(network: TestbedNetwork): Command[] {
  const { janusNamespace: janusNs, clientNamespace: clientNs, janusInterface: janusIf, clientInterface: clientIf } = network;
  const inNs = (ns: string, script: string): Command => ['ip', 'netns', 'exec', ns, 'sh', '-c', script];
  const janusSide: Command[] = [
    inNs(janusNs, `echo 1 > /proc/sys/net/ipv6/conf/${janusIf}/disable_ipv6`),
    ['ip', '-n', janusNs, 'link', 'set', 'lo', 'up'],
    ['ip', '-n', janusNs, 'addr', 'add', `${network.janusIp}/30`, 'dev', janusIf],
    ['ip', '-n', janusNs, 'link', 'set', janusIf, 'up'],
  ];
  if (clientNs !== undefined) {
    return [
      ['ip', 'netns', 'add', clientNs],
      ['ip', 'link', 'add', clientIf, 'netns', clientNs, 'type', 'veth', 'peer', 'name', janusIf, 'netns', janusNs],
      inNs(clientNs, `echo 1 > /proc/sys/net/ipv6/conf/${clientIf}/disable_ipv6`),
      ['ip', '-n', clientNs, 'link', 'set', 'lo', 'up'],
      ['ip', '-n', clientNs, 'addr', 'add', `${network.clientIp}/30`, 'dev', clientIf],
      ['ip', '-n', clientNs, 'link', 'set', clientIf, 'up'],
      ...janusSide,
    ];
  }
  // Without arp_ignore/arp_announce the root namespace answers ARP for the machine's own
  // address on the veth, and Janus ends up sending media to it.
  const rootSysctl = (path: string, value: number): Command => ['sh', '-c', `echo ${value} > /proc/sys/net/${path}`];
  return [
    ['ip', 'link', 'add', clientIf, 'type', 'veth', 'peer', 'name', janusIf, 'netns', janusNs],
    rootSysctl(`ipv6/conf/${clientIf}/disable_ipv6`, 1),
    rootSysctl(`ipv4/conf/${clientIf}/arp_ignore`, 1),
    rootSysctl(`ipv4/conf/${clientIf}/arp_announce`, 2),
    ['ip', 'addr', 'add', `${network.clientIp}/30`, 'dev', clientIf],
    ['ip', 'link', 'set', clientIf, 'up'],
    ...janusSide,
  ];
}

/** Why this machine cannot host a testbed, or undefined when it can. */
export async function testbedUnavailableReason(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'the testbed needs root (it creates network namespaces)';
  try {
    await run('ip', ['netns', 'list'], { timeout: 5_000 });
  } catch (error) {
    return `"ip netns" is unavailable: ${firstLine(error)}`;
  }
  try {
    await run('janus', ['--help'], { timeout: 5_000 });
  } catch (error) {
    return `Janus is not installed or does not run: ${firstLine(error)}`;
  }
  return undefined;
}

/** Claims a free block and builds its network; on any failure removes what it made. */
export async function createNetwork(mode: TestbedMode, pickIndex = () => randomInt(BLOCK_COUNT)): Promise<TestbedNetwork> {
  const rootAddresses = mode === 'local' ? await rootNamespaceAddresses() : [];
  for (let attempt = 0; attempt < 20; attempt++) {
    const network = planNetwork(mode, pickIndex());
    if (rootAddresses.some((address) => sameBlock(address, network.clientIp))) continue;
    try {
      await run('ip', ['netns', 'add', network.janusNamespace], { timeout: 5_000 });
    } catch {
      continue; // another testbed owns this block
    }
    try {
      for (const [command, ...args] of setupSteps(network)) await run(command, args, { timeout: 5_000 });
      return network;
    } catch (error) {
      await deleteNetwork(network).catch(() => undefined);
      throw new Error(`could not build the testbed network: ${firstLine(error)}`);
    }
  }
  throw new Error('found no free testbed network block in 20 attempts');
}

/** Deletes the veth pair and the namespaces; collects every failure. */
export async function deleteNetwork(network: TestbedNetwork): Promise<void> {
  const failures: string[] = [];
  // A namespace's devices go away asynchronously after `ip netns del`; deleting the pair first
  // makes sure the root end of a local testbed is gone when this returns.
  const linkDelete = ['link', 'del', network.clientInterface];
  try {
    await run('ip', network.clientNamespace === undefined ? linkDelete : ['-n', network.clientNamespace, ...linkDelete], { timeout: 5_000 });
  } catch (error) {
    if (!/Cannot find device|No such file|does not exist/.test(firstLine(error))) failures.push(`ip link del ${network.clientInterface}: ${firstLine(error)}`);
  }
  for (const ns of [network.clientNamespace, network.janusNamespace]) {
    if (ns === undefined) continue;
    try {
      await run('ip', ['netns', 'del', ns], { timeout: 5_000 });
    } catch (error) {
      if (!/No such file/.test(firstLine(error))) failures.push(`ip netns del ${ns}: ${firstLine(error)}`);
    }
  }
  if (failures.length > 0) throw new Error(failures.join('; '));
}

async function rootNamespaceAddresses(): Promise<string[]> {
  const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show'], { timeout: 5_000 });
  return [...stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\/(\d+)/g)].map((match) => `${match[1]}/${match[2]}`);
}

/** Whether an `address/prefix` of the root namespace overlaps the /30 of `ip`. */
export function sameBlock(addressWithPrefix: string, ip: string): boolean {
  const [address = '', prefixText = '32'] = addressWithPrefix.split('/');
  const prefix = Math.min(Number(prefixText), 30);
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return (toNumber(address) & mask) >>> 0 === (toNumber(ip) & mask) >>> 0;
}

function toNumber(ip: string): number {
  return ip.split('.').reduce((value, part) => (value << 8) + Number(part), 0) >>> 0;
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  const text = typeof stderr === 'string' && stderr.trim() ? stderr : error instanceof Error ? error.message : String(error);
  return text.trim().split('\n')[0] ?? '';
}
