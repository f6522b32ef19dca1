// Generates the configuration folder of one Janus instance. Janus loads every shared library it
// finds in its module folders unless told otherwise, so the generated files disable everything but
// the WebSocket transport and the VideoRoom plugin, computed from what is actually installed.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { isAbsolute, join, normalize, sep } from 'node:path';

/** Debian's multiarch folder names, by Node's `process.arch`. */
const MULTIARCH: Readonly<Record<string, string>> = {
  x64: 'x86_64-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  arm: 'arm-linux-gnueabihf',
  ia32: 'i386-linux-gnu',
  ppc64: 'powerpc64le-linux-gnu',
  s390x: 's390x-linux-gnu',
  riscv64: 'riscv64-linux-gnu',
};

/** Where Debian's `janus` package installs its plugins, transports, event handlers and loggers on a machine of `arch`. */
export function janusLibraryDir(arch: string = process.arch): string {
  return `/usr/lib/${MULTIARCH[arch] ?? `${arch}-linux-gnu`}/janus`;
}

export const JANUS_LIBRARY_DIR = janusLibraryDir();
export const ENABLED_TRANSPORT = 'libjanus_websockets.so';
export const ENABLED_PLUGIN = 'libjanus_videoroom.so';

export const JANUS_CONFIG_FILE = 'janus.jcfg';
export const WEBSOCKETS_CONFIG_FILE = 'janus.transport.websockets.jcfg';
export const VIDEOROOM_CONFIG_FILE = 'janus.plugin.videoroom.jcfg';

/** Janus refuses to write recordings into these (its own default list). */
const PROTECTED_FOLDERS = ['/bin', '/boot', '/dev', '/etc', '/initrd', '/lib', '/lib32', '/lib64', '/proc', '/sbin', '/sys', '/usr', '/var'];

export interface JanusConfigOptions {
  /** The folder the files are written to (Janus's `-F`). */
  readonly dir: string;
  /** The IPv4 address Janus puts in its SDP and gathers its only ICE candidate on. */
  readonly mediaIp: string;
  /** Interface name (or address) ICE gathering is limited to; defaults to `mediaIp`. */
  readonly iceEnforceInterface?: string;
  /** The address the WebSocket API listens on. */
  readonly wsIp: string;
  readonly wsPort?: number;
  /** Address prefixes allowed to open the WebSocket API (Janus matches them as string prefixes). */
  readonly wsAcl: readonly string[];
  readonly apiSecret: string;
  /** Required by the VideoRoom plugin to create rooms and to forward RTP. */
  readonly adminKey: string;
  readonly rtpPortRange: { readonly min: number; readonly max: number };
  /** Where rooms record to (`rec_dir`): checked here, created by the writer. */
  readonly recordingsDir: string;
}

/** The shared libraries found in each module folder of a Janus installation. */
export interface InstalledJanusModules {
  readonly plugins: readonly string[];
  readonly transports: readonly string[];
  readonly events: readonly string[];
  readonly loggers: readonly string[];
}

/** File name → file text. */
export type JanusConfigFiles = Readonly<Record<string, string>>;

/** Lists the libraries Janus would load: it loads files whose name ends in `.so`, nothing else. */
export async function listInstalledJanusModules(libraryDir = JANUS_LIBRARY_DIR): Promise<InstalledJanusModules> {
  const listFolder = async (folder: string): Promise<string[]> => {
    const entries = await readdir(join(libraryDir, folder), { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    return entries
      .filter((entry) => !entry.isDirectory() && entry.name.toLowerCase().endsWith('.so'))
      .map((entry) => entry.name)
      .sort();
  };
  const [plugins, transports, events, loggers] = await Promise.all([
    listFolder('plugins'),
    listFolder('transports'),
    listFolder('events'),
    listFolder('loggers'),
  ]);
  return { plugins, transports, events, loggers };
}

/** Renders the configuration files; pure, so tests can read exactly what Janus will get. */
export function renderJanusConfig(options: JanusConfigOptions, installed: InstalledJanusModules, libraryDir = JANUS_LIBRARY_DIR): JanusConfigFiles {
  checkOptions(options);
  if (!installed.plugins.includes(ENABLED_PLUGIN)) throw new Error(`${ENABLED_PLUGIN} is not installed in ${join(libraryDir, 'plugins')}`);
  if (!installed.transports.includes(ENABLED_TRANSPORT)) throw new Error(`${ENABLED_TRANSPORT} is not installed in ${join(libraryDir, 'transports')}`);

  const disabled = (names: readonly string[], keep?: string): string => quote(names.filter((name) => name !== keep).join(','));
  const header = '# Generated for one Janus run by scripts/testbed-janus-config.ts. Do not edit: regenerate.\n';

  const janus = `${header}
general: {
	configs_folder = ${quote(options.dir)}
	plugins_folder = ${quote(join(libraryDir, 'plugins'))}
	transports_folder = ${quote(join(libraryDir, 'transports'))}
	events_folder = ${quote(join(libraryDir, 'events'))}
	loggers_folder = ${quote(join(libraryDir, 'loggers'))}
	debug_level = 4
	debug_timestamps = true
	debug_colors = false
	api_secret = ${quote(options.apiSecret)}
	token_auth = false
	# The test host has no default route, so Janus cannot detect its own address.
	interface = ${quote(options.mediaIp)}
	server_name = "softphone"
	session_timeout = 60
	hide_dependencies = true
	exit_on_dl_error = true
	protected_folders = [
${PROTECTED_FOLDERS.map((folder) => `		${quote(folder)}`).join(',\n')}
	]
}

certificates: {
}

media: {
	ipv6 = false
	rtp_port_range = "${options.rtpPortRange.min}-${options.rtpPortRange.max}"
}

nat: {
	nice_debug = false
	ice_lite = true
	ice_enforce_list = ${quote(options.iceEnforceInterface ?? options.mediaIp)}
	ignore_mdns = true
}

plugins: {
	disable = ${disabled(installed.plugins, ENABLED_PLUGIN)}
}

transports: {
	disable = ${disabled(installed.transports, ENABLED_TRANSPORT)}
}

loggers: {
	disable = ${disabled(installed.loggers)}
}

events: {
	broadcast = false
	disable = ${disabled(installed.events)}
}
`;

  const websockets = `${header}
general: {
	events = false
	json = "compact"
	ws = true
	ws_port = ${options.wsPort ?? 8188}
	ws_ip = ${quote(options.wsIp)}
	ws_acl = ${quote(options.wsAcl.join(','))}
	wss = false
	ws_logging = "err,warn"
}

admin: {
	admin_ws = false
	admin_wss = false
}
`;

  const videoroom = `${header}
general: {
	admin_key = ${quote(options.adminKey)}
	# RTP forwarding could send a call's media anywhere: only with the admin key.
	lock_rtp_forward = true
	string_ids = true
	events = false
}
`;

  return { [JANUS_CONFIG_FILE]: janus, [WEBSOCKETS_CONFIG_FILE]: websockets, [VIDEOROOM_CONFIG_FILE]: videoroom };
}

/** Writes the files (readable by root only: they hold the secrets) and creates the recordings folder. */
export async function writeJanusConfig(options: JanusConfigOptions, libraryDir = JANUS_LIBRARY_DIR): Promise<JanusConfigFiles> {
  const files = renderJanusConfig(options, await listInstalledJanusModules(libraryDir), libraryDir);
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  await mkdir(options.recordingsDir, { recursive: true, mode: 0o755 });
  await Promise.all(Object.entries(files).map(([name, text]) => writeFile(join(options.dir, name), text, { mode: 0o600 })));
  return files;
}

function checkOptions(options: JanusConfigOptions): void {
  for (const [name, address] of [
    ['mediaIp', options.mediaIp],
    ['wsIp', options.wsIp],
  ] as const) {
    if (!isIPv4(address)) throw new Error(`${name} must be an IPv4 address, got ${JSON.stringify(address)}`);
  }
  const wsPort = options.wsPort ?? 8188;
  if (!isPort(wsPort)) throw new Error(`wsPort must be a port number, got ${wsPort}`);
  const { min, max } = options.rtpPortRange;
  if (!isPort(min) || !isPort(max) || min > max) throw new Error(`rtpPortRange must be two ports, min <= max, got ${min}-${max}`);
  if (options.wsAcl.length === 0 || options.wsAcl.some((prefix) => !/^[0-9.]+$/.test(prefix))) {
    throw new Error('wsAcl must list at least one IPv4 address or prefix');
  }
  if (options.iceEnforceInterface !== undefined && !/^[A-Za-z0-9_.:-]{1,15}$/.test(options.iceEnforceInterface)) {
    throw new Error(`iceEnforceInterface must be an interface name or address, got ${JSON.stringify(options.iceEnforceInterface)}`);
  }
  for (const [name, secret] of [
    ['apiSecret', options.apiSecret],
    ['adminKey', options.adminKey],
  ] as const) {
    if (!/^[A-Za-z0-9_-]{16,}$/.test(secret)) throw new Error(`${name} must be at least 16 characters of A-Z, a-z, 0-9, "-" or "_"`);
  }
  for (const [name, folder] of [
    ['dir', options.dir],
    ['recordingsDir', options.recordingsDir],
  ] as const) {
    if (!isAbsolute(folder)) throw new Error(`${name} must be an absolute path, got ${JSON.stringify(folder)}`);
  }
  const recordings = normalize(options.recordingsDir);
  const protectedBy = PROTECTED_FOLDERS.find((folder) => recordings === folder || recordings.startsWith(folder + sep));
  if (protectedBy) throw new Error(`recordingsDir ${recordings} is inside ${protectedBy}, where Janus refuses to record`);
}

function isPort(value: number): boolean {
  return Number.isInteger(value) && value > 0 && value < 65536;
}

/** A libconfig string literal; refuses what would need escaping rather than escaping it. */
function quote(value: string): string {
  if (/["\\\n\r]/.test(value)) throw new Error(`a Janus configuration value cannot contain quotes, backslashes or newlines: ${JSON.stringify(value)}`);
  return `"${value}"`;
}
