/** `trellis serve`, `trellis migrate`, `trellis doctor`. */
import fs from 'node:fs';
import type { Command } from 'commander';
import { redisClient } from '../../platform/client-libraries.js';
import { ConfigError, loadConfig, type Config } from '../../config.js';
import { migrationState, openStorage } from '../../db/database.js';
import { configOrExit, exitOnStartFailure, serve } from '../../serve.js';
import { ImportRepository } from '../../imports/imports.repository.js';
import { WebhookDeliveryRepository } from '../../webhooks/webhooks.repository.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';

interface Check {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  fix?: string;
}

export function serverCommands(program: Command, out: () => Output): void {
  program
    .command('serve')
    .description('Run the server (what `npm start` runs): HTTP, webhook delivery, imports')
    .addHelpText('after', '\nConfigured by environment variables: see docs/configuration.md.\nExample:\n  PORT=8080 DATABASE_URL=postgres://… trellis serve')
    .action(() => serve().catch(exitOnStartFailure));

  program
    .command('migrate')
    .description('Bring the database to this version\'s schema (serve does it too; run it alone before an upgrade). Several instances migrating at once take turns under a lock.')
    .action(async () => {
      const config = configOrExit();
      const before = await openStorage(config.database, { migrate: false });
      const { pending } = await migrationState(before, config.database).finally(() => before.close());
      const storage = await openStorage(config.database);
      const { known } = await migrationState(storage, config.database).finally(() => storage.close());
      out().result({ applied: pending, latest: known[known.length - 1] }, () =>
        pending.length === 0 ? `The database is up to date (${known[known.length - 1]}).` : `Applied ${pending.length} migration(s): ${pending.join(', ')}.`,
      );
    });

  program
    .command('doctor')
    .description('Check the configuration, the database, Redis, webhook delivery and imports: what is wrong and how to fix it')
    .action(async () => {
      const checks = await diagnose();
      const mark = { ok: '✓', warn: '!', fail: '✗' };
      out().result(checks, () => checks.map((c) => `${mark[c.status]} ${c.check}: ${c.message}${c.fix ? `\n    fix: ${c.fix}` : ''}`).join('\n'));
      if (checks.some((c) => c.status === 'fail')) process.exitCode = EXIT.unhealthy;
    });
}

async function diagnose(): Promise<Check[]> {
  const checks: Check[] = [];
  let config: Config;
  try {
    config = loadConfig();
    checks.push({ check: 'configuration', status: 'ok', message: 'every setting is valid' });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [{ check: 'configuration', status: 'fail', message: error.problems.join('; '), fix: 'correct these environment variables (docs/configuration.md)' }];
  }
  const { database } = config;
  if (database.kind === 'sqlite' && database.file !== ':memory:' && !fs.existsSync(database.file)) {
    checks.push({ check: 'database', status: 'warn', message: `no database at ${database.file} yet`, fix: 'run `trellis migrate` (or start the server) to create it' });
    return [...checks, ...settingsChecks(config)];
  }
  let storage;
  try {
    storage = await openStorage(database, { migrate: false });
    await storage.ping();
  } catch (error) {
    checks.push({ check: 'database', status: 'fail', message: `cannot open it: ${(error as Error).message}`, fix: database.kind === 'postgres' ? 'check DATABASE_URL (host, port, user, password) and that PostgreSQL is running' : 'check DATABASE_URL and the file\'s permissions' });
    return [...checks, ...settingsChecks(config)];
  }
  try {
    const { pending } = await migrationState(storage, database);
    checks.push(
      pending.length === 0
        ? { check: 'database', status: 'ok', message: `${database.kind}, schema up to date` }
        : { check: 'database', status: 'warn', message: `${pending.length} migration(s) not applied yet (${pending.join(', ')})`, fix: 'run `trellis migrate`, or start the server (it migrates first)' },
    );
    if (pending.length === 0) {
      const queue = await new WebhookDeliveryRepository(storage.capabilities).queueState(storage.db, Date.now());
      const lateMinutes = queue.oldestDueAt === null ? 0 : Math.floor((Date.now() - queue.oldestDueAt) / 60_000);
      checks.push(
        lateMinutes >= 5
          ? { check: 'webhook delivery', status: 'fail', message: `${queue.due} deliveries are due, the oldest for ${lateMinutes} min`, fix: 'run at least one instance with WEBHOOK_WORKER=true (the default), and check its log for delivery errors' }
          : { check: 'webhook delivery', status: 'ok', message: `${queue.pending} pending, ${queue.due} due now` },
      );
      const n = await new ImportRepository().countStalled(storage.db, Date.now());
      checks.push(
        n > 0
          ? { check: 'imports', status: 'warn', message: `${n} import(s) stopped mid-way and not resumed`, fix: `start the server on the machine that received them (their files are in its IMPORT_DIR, ${config.imports.dir})` }
          : { check: 'imports', status: 'ok', message: 'no stalled imports' },
      );
    }
  } finally {
    await storage.close();
  }
  if (config.redisUrl) checks.push(await redisCheck(config.redisUrl));
  return [...checks, ...settingsChecks(config)];
}

async function redisCheck(url: string): Promise<Check> {
  const redis = new (redisClient())(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return { check: 'redis', status: 'ok', message: 'answers PING' };
  } catch (error) {
    return { check: 'redis', status: 'fail', message: `cannot reach it: ${(error as Error).message}`, fix: 'check REDIS_URL and that Redis runs; meanwhile rate limits fall back to memory per instance' };
  } finally {
    redis.disconnect();
  }
}

function settingsChecks(config: Config): Check[] {
  const checks: Check[] = [];
  try {
    fs.mkdirSync(config.imports.dir, { recursive: true });
    fs.accessSync(config.imports.dir, fs.constants.W_OK);
    checks.push({ check: 'import directory', status: 'ok', message: `${config.imports.dir} is writable` });
  } catch {
    checks.push({ check: 'import directory', status: 'fail', message: `${config.imports.dir} is not writable`, fix: 'set IMPORT_DIR to a writable directory' });
  }
  if (config.database.kind === 'sqlite' && config.database.synchronous === 'NORMAL') {
    checks.push({ check: 'durability', status: 'warn', message: 'SQLITE_SYNCHRONOUS=NORMAL: a power loss can lose the last commits', fix: 'unset SQLITE_SYNCHRONOUS (FULL) unless you accept that' });
  }
  if (config.host === '0.0.0.0' && /localhost|127\.0\.0\.1/.test(config.publicUrl)) {
    checks.push({ check: 'public URL', status: 'warn', message: `PUBLIC_URL is ${config.publicUrl} while the server listens on every interface`, fix: 'set PUBLIC_URL to the address clients use (https://crm.example.com)' });
  }
  if (!config.metricsToken) checks.push({ check: 'metrics', status: 'ok', message: 'GET /metrics is off (set METRICS_TOKEN to turn it on)' });
  return checks;
}
