// The server's command-line entry point: configuration, start, and a clean shutdown on
// SIGINT/SIGTERM (calls end with a reason, rooms are destroyed, the database is closed).
import { CONFIG_HELP, loadConfig, type ServerConfig } from './config';
import { DataDirError } from './database';
import { createLogger } from './log';
import { startServer } from './server';

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(CONFIG_HELP);
    return;
  }
  let config: ServerConfig;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${CONFIG_HELP}`);
    process.exit(2);
  }
  const log = createLogger({ level: config.logLevel });
  // Only a record for the log: an error no entry point handled still ends the process (and
  // scripts/start.sh starts it again), so such a bug is never hidden.
  process.on('uncaughtExceptionMonitor', (error, origin) => log.error('the server is stopping on an unhandled error', { error, origin, stack: error.stack }));
  const running = await startServer(config, log);
  log.info('softphone server listening', { url: running.url });
  process.stdout.write(`Softphone web client: ${running.url}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 5000);
    running.close().then(
      () => {
        clearTimeout(force);
        process.exit(0);
      },
      (error: unknown) => {
        log.error('shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`softphone server failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  // 2: the configuration or the data folder is wrong, and starting again would not help.
  process.exit(error instanceof DataDirError ? 2 : 1);
});
