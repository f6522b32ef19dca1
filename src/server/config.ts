// Server configuration from command-line flags, then environment variables, then defaults.
// Validated once at start: a bad value stops the server with a message that names it.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_LIMITS } from './limits';
import { LOG_LEVELS } from './log';
import { serverOriginOf } from '../shared/protocol';

const Seconds = z.coerce.number().positive().max(3600);
const Count = z.coerce.number().int().positive().max(1_000_000);

export const ServerConfig = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  /** Accounts database and recordings live here. */
  dataDir: z.string().min(1),
  /** The built web client (Vite output); served at `/`. */
  webRoot: z.string().min(1),
  janus: z.object({
    url: z.url({ protocol: /^wss?$/, error: 'the Janus address must be a ws:// URL (e.g. ws://10.0.0.2:8188)' }),
    apiSecret: z.string().min(8, 'the Janus api_secret is required (JANUS_API_SECRET)'),
    adminKey: z.string().min(8, 'the VideoRoom admin_key is required (JANUS_ADMIN_KEY)'),
    /** Where Janus writes recordings (its rooms' rec_dir), readable here; unset: no recording. */
    recordingsDir: z.string().min(1).optional(),
  }),
  ringTimeoutSeconds: Seconds,
  connectTimeoutSeconds: Seconds,
  /** How long a call survives a party's lost signaling connection before it ends. */
  reconnectGraceSeconds: Seconds,
  logLevel: z.enum(LOG_LEVELS),
  /** Limits across connections and accounts (limits.ts). */
  limits: z.object({
    pendingConnections: Count,
    pendingPerAddress: Count,
    loginsPerAddressPerMinute: Count,
    loginsPerMinute: Count,
    registrationsPerAddressPerHour: Count,
    registrationsPerMinute: Count,
    callsPerMinute: Count,
    callsToOnePerMinute: Count,
    callsReceivedPerMinute: Count,
    messagesPerSecond: Count,
    trustProxy: z.boolean(),
  }),
  /** Serve the web client's source maps (.map files); off, they are 404. */
  serveSourceMaps: z.boolean(),
  /**
   * The origins clients reach this server at (https://phone.example.org). Logins must name one of
   * them, and /ws refuses a browser page from any other. Empty: the origin the request's Host
   * header names (fine on a LAN or loopback, but a relay can forge that header: set it in a
   * deployment).
   */
  publicOrigins: z.array(
    z.string().transform((value, context) => {
      try {
        const origin = serverOriginOf(value.trim());
        if (/^https?:\/\/[^/]+\/?$/.test(value.trim())) return origin;
      } catch {
        // reported below
      }
      context.addIssue({ code: 'custom', message: `"${value.slice(0, 60)}" is not an origin such as https://phone.example.org` });
      return z.NEVER;
    }),
  ),
});
export type ServerConfig = z.infer<typeof ServerConfig>;

export const CONFIG_HELP = `softphone server

  --host HOST                 listen address (SOFTPHONE_HOST, default 127.0.0.1)
  --port PORT                 HTTP + WebSocket port (SOFTPHONE_PORT, default 8080; 0 picks a free one)
  --data-dir DIR              accounts database and recordings (SOFTPHONE_DATA_DIR, default ./.data)
  --web-root DIR              built web client (SOFTPHONE_WEB_ROOT, default dist/renderer)
  --janus-url URL             Janus WebSocket API (JANUS_WS_URL)
  --janus-api-secret SECRET   Janus api_secret (JANUS_API_SECRET)
  --janus-admin-key KEY       VideoRoom admin_key (JANUS_ADMIN_KEY)
  --recordings-dir DIR        Janus's recordings folder on this machine (JANUS_RECORDINGS_DIR);
                              without it calls cannot be recorded or transcribed
  --ring-timeout SECONDS      unanswered calls end after this (default 45)
  --connect-timeout SECONDS   accepted calls whose media does not flow end after this (default 30)
  --reconnect-grace SECONDS   a call survives a lost connection this long (default 10)
  --log-level LEVEL           debug | info | warn | error (SOFTPHONE_LOG_LEVEL, default info)
  --public-origin ORIGIN      an origin clients reach this server at, e.g. https://phone.example.org;
                              repeat for several (SOFTPHONE_PUBLIC_ORIGINS, comma-separated).
                              Logins must be signed for one of them and /ws refuses pages from
                              others. Unset: the origin the request's Host header names
  --serve-source-maps         serve the web client's .map files (SOFTPHONE_SERVE_SOURCE_MAPS=1;
                              default off: they are answered 404)

Limits (past one, the request is refused with the error code rate-limited):
  --max-pending-connections N        connections not logged in yet, in all; more are refused (503)
                                     (default ${DEFAULT_LIMITS.pendingConnections})
  --max-pending-per-address N        ... from one address (default ${DEFAULT_LIMITS.pendingPerAddress})
  --logins-per-minute N              login and register attempts per address (default ${DEFAULT_LIMITS.loginsPerAddressPerMinute})
  --logins-per-minute-total N        login and register attempts from everyone (default ${DEFAULT_LIMITS.loginsPerMinute})
  --registrations-per-hour N         new accounts per address (default ${DEFAULT_LIMITS.registrationsPerAddressPerHour})
  --registrations-per-minute-total N new accounts from everyone (default ${DEFAULT_LIMITS.registrationsPerMinute})
  --calls-per-minute N               calls one account may place (default ${DEFAULT_LIMITS.callsPerMinute})
  --calls-to-one-per-minute N        calls from one caller that ring one callee or reach it as missed
                                     (default ${DEFAULT_LIMITS.callsToOnePerMinute})
  --calls-received-per-minute N      calls that ring one callee or reach it as missed, from everyone
                                     (default ${DEFAULT_LIMITS.callsReceivedPerMinute})
  --messages-per-second N            messages one account may send over all its connections
                                     (default ${DEFAULT_LIMITS.messagesPerSecond})
  --trust-proxy                      count clients by the last X-Forwarded-For address (only behind
                                     a reverse proxy that sets it)
`;

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): ServerConfig {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'web-root': { type: 'string' },
      'janus-url': { type: 'string' },
      'janus-api-secret': { type: 'string' },
      'janus-admin-key': { type: 'string' },
      'recordings-dir': { type: 'string' },
      'ring-timeout': { type: 'string' },
      'connect-timeout': { type: 'string' },
      'reconnect-grace': { type: 'string' },
      'log-level': { type: 'string' },
      'max-pending-connections': { type: 'string' },
      'max-pending-per-address': { type: 'string' },
      'logins-per-minute': { type: 'string' },
      'logins-per-minute-total': { type: 'string' },
      'registrations-per-hour': { type: 'string' },
      'registrations-per-minute-total': { type: 'string' },
      'calls-per-minute': { type: 'string' },
      'calls-to-one-per-minute': { type: 'string' },
      'calls-received-per-minute': { type: 'string' },
      'messages-per-second': { type: 'string' },
      'trust-proxy': { type: 'boolean' },
      'serve-source-maps': { type: 'boolean' },
      'public-origin': { type: 'string', multiple: true },
    },
  });
  const result = ServerConfig.safeParse({
    host: values.host ?? env.SOFTPHONE_HOST ?? '127.0.0.1',
    port: values.port ?? env.SOFTPHONE_PORT ?? 8080,
    dataDir: path.resolve(values['data-dir'] ?? env.SOFTPHONE_DATA_DIR ?? '.data'),
    webRoot: path.resolve(values['web-root'] ?? env.SOFTPHONE_WEB_ROOT ?? 'dist/renderer'),
    janus: {
      url: values['janus-url'] ?? env.JANUS_WS_URL ?? '',
      apiSecret: values['janus-api-secret'] ?? env.JANUS_API_SECRET ?? '',
      adminKey: values['janus-admin-key'] ?? env.JANUS_ADMIN_KEY ?? '',
      recordingsDir: optionalPath(values['recordings-dir'] ?? env.JANUS_RECORDINGS_DIR),
    },
    ringTimeoutSeconds: values['ring-timeout'] ?? 45,
    connectTimeoutSeconds: values['connect-timeout'] ?? 30,
    reconnectGraceSeconds: values['reconnect-grace'] ?? 10,
    logLevel: values['log-level'] ?? env.SOFTPHONE_LOG_LEVEL ?? 'info',
    limits: {
      pendingConnections: values['max-pending-connections'] ?? DEFAULT_LIMITS.pendingConnections,
      pendingPerAddress: values['max-pending-per-address'] ?? DEFAULT_LIMITS.pendingPerAddress,
      loginsPerAddressPerMinute: values['logins-per-minute'] ?? DEFAULT_LIMITS.loginsPerAddressPerMinute,
      loginsPerMinute: values['logins-per-minute-total'] ?? DEFAULT_LIMITS.loginsPerMinute,
      registrationsPerAddressPerHour: values['registrations-per-hour'] ?? DEFAULT_LIMITS.registrationsPerAddressPerHour,
      registrationsPerMinute: values['registrations-per-minute-total'] ?? DEFAULT_LIMITS.registrationsPerMinute,
      callsPerMinute: values['calls-per-minute'] ?? DEFAULT_LIMITS.callsPerMinute,
      callsToOnePerMinute: values['calls-to-one-per-minute'] ?? DEFAULT_LIMITS.callsToOnePerMinute,
      callsReceivedPerMinute: values['calls-received-per-minute'] ?? DEFAULT_LIMITS.callsReceivedPerMinute,
      messagesPerSecond: values['messages-per-second'] ?? DEFAULT_LIMITS.messagesPerSecond,
      trustProxy: values['trust-proxy'] ?? DEFAULT_LIMITS.trustProxy,
    },
    serveSourceMaps: values['serve-source-maps'] ?? env.SOFTPHONE_SERVE_SOURCE_MAPS === '1',
    publicOrigins: values['public-origin'] ?? (env.SOFTPHONE_PUBLIC_ORIGINS ?? '').split(',').filter((origin) => origin.trim() !== ''),
  });
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid server configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

function optionalPath(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : path.resolve(value);
}
