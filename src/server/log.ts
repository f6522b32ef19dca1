// The server's structured log: one JSON object per line on stderr, so stdout stays free and the
// lines can be filtered with jq. Fields whose names suggest secrets or session descriptions are
// never written, and long strings are cut, so a mistake at a call site cannot leak them in full.

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  /** Lines below this level are dropped (default `info`). */
  readonly level?: LogLevel;
  /** Fields added to every line, e.g. `{ component: 'janus' }`. */
  readonly base?: LogFields;
  /** Where a finished line goes (default: stderr). */
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

/** Field names whose values are never logged. */
const SECRET_FIELD = /secret|password|token|key|sdp|jsep|candidate/i;
const MAX_STRING_LENGTH = 256;
const MAX_DEPTH = 4;

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? (() => new Date());
  const base = options.base ?? {};

  const log =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}) => {
      if (LOG_LEVELS.indexOf(level) < threshold) return;
      const entry = { time: now().toISOString(), level, msg: clip(msg), ...sanitize({ ...base, ...fields }, 0) };
      write(`${JSON.stringify(entry)}\n`);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

function sanitize(fields: LogFields, depth: number): Record<string, unknown> {
  const clean: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    clean[name] = SECRET_FIELD.test(name) ? '[redacted]' : sanitizeValue(value, depth);
  }
  return clean;
}

function sanitizeValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return clip(value);
  if (value instanceof Error) return { name: value.name, message: clip(value.message) };
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : value;
  if (depth >= MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) return value.slice(0, 20).map((item) => sanitizeValue(item, depth + 1));
  return sanitize(value as LogFields, depth + 1);
}

function clip(text: string): string {
  return text.length <= MAX_STRING_LENGTH ? text : `${text.slice(0, MAX_STRING_LENGTH)}… (${text.length} chars)`;
}
