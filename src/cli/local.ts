/**
 * Operator commands work on the database directly, through the same services
 * as the server (no HTTP, no key): the configuration and database the server
 * would use, from the same environment.
 */
import { configOrExit } from '../serve.js';
import type { Config } from '../config.js';
import { openStorage } from '../db/database.js';
import { systemClock } from '../platform/clock.js';
import { createServices, type Services } from '../services.js';

export async function withServices<T>(work: (services: Services, config: Config) => Promise<T>): Promise<T> {
  const config = configOrExit();
  const storage = await openStorage(config.database);
  try {
    return await work(createServices(storage, systemClock, config), config);
  } finally {
    await storage.close();
  }
}
