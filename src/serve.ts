/** Runs the server until SIGTERM or SIGINT: configuration, database, first-start bootstrap, HTTP, graceful shutdown. */
import { buildApp } from './app.js';
import { banner, bootstrapIfEmpty } from './bootstrap.js';
import { ConfigError, loadConfig, type Config } from './config.js';

/** Exit status for an invalid configuration (EX_CONFIG). */
export const EXIT_CONFIG = 78;

/** The configuration, or the process ends with the list of what is wrong. */
export function configOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee docs/configuration.md.\n`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
}

export async function serve(): Promise<void> {
  const config = configOrExit();
  const { app, services } = await buildApp(config);
  const first = await bootstrapIfEmpty(services, config);
  const address = await app.listen({ host: config.host, port: config.port });
  process.stdout.write(banner(config, address, first));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export function exitOnStartFailure(error: unknown): never {
  process.stderr.write(`Trellis could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
