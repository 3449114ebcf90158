/** Wires repositories and services together: each service gets only what it uses. */
import type { Config } from './config.js';
import type { Storage } from './db/database.js';
import { createTransactor } from './db/transactor.js';
import type { Clock } from './platform/clock.js';
import { ApiKeyRepository } from './resources/api-keys/api-keys.repository.js';
import { ApiKeyService } from './resources/api-keys/api-keys.service.js';
import { CompanyRepository } from './resources/companies/companies.repository.js';
import { CompanyService } from './resources/companies/companies.service.js';
import { ContactRepository } from './resources/contacts/contacts.repository.js';
import { ContactService } from './resources/contacts/contacts.service.js';
import { MeService } from './resources/me/me.service.js';
import { UserRepository } from './resources/users/users.repository.js';
import { UserService } from './resources/users/users.service.js';
import { WorkspaceRepository } from './resources/workspaces/workspaces.repository.js';
import { WorkspaceService } from './resources/workspaces/workspaces.service.js';

export type Services = ReturnType<typeof createServices>;

export function createServices(storage: Storage, clock: Clock, config: Config) {
  const { capabilities } = storage;
  const workspaceRepository = new WorkspaceRepository();
  const tx = createTransactor(storage.db, clock, workspaceRepository);
  const userRepository = new UserRepository(capabilities);
  const apiKeyRepository = new ApiKeyRepository(capabilities);
  const companyRepository = new CompanyRepository(capabilities);
  const contactRepository = new ContactRepository(capabilities);
  const defaultRateLimit = config.rateLimit.perMinute;

  const users = new UserService(tx, capabilities, userRepository, [contactRepository, companyRepository]);
  const apiKeys = new ApiKeyService(tx, clock, apiKeyRepository, userRepository, defaultRateLimit);
  return {
    storage,
    users,
    apiKeys,
    workspaces: new WorkspaceService(tx, clock, workspaceRepository, users, apiKeys),
    me: new MeService(tx, userRepository, workspaceRepository, apiKeyRepository, defaultRateLimit),
    companies: new CompanyService(tx, capabilities, companyRepository, userRepository, [contactRepository]),
    contacts: new ContactService(tx, capabilities, contactRepository, companyRepository, userRepository),
  };
}
