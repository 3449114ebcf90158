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
import type { Executor } from './db/transactor.js';
import { DealRepository } from './resources/deals/deals.repository.js';
import { LeadRepository } from './resources/leads/leads.repository.js';
import { ActivityRepository } from './resources/activities/activities.repository.js';
import { ActivityService } from './resources/activities/activities.service.js';
import { TaskRepository } from './resources/tasks/tasks.repository.js';
import { TaskService } from './resources/tasks/tasks.service.js';
import { TimelineRepository } from './resources/timeline/timeline.repository.js';
import { TimelineService } from './resources/timeline/timeline.service.js';
import { LeadService } from './resources/leads/leads.service.js';
import { DealService } from './resources/deals/deals.service.js';
import { PipelineRepository } from './resources/pipelines/pipelines.repository.js';
import { PipelineService } from './resources/pipelines/pipelines.service.js';
import { Tagging } from './resources/tags/tagging.js';
import { TagRepository } from './resources/tags/tags.repository.js';
import { TagService } from './resources/tags/tags.service.js';
import { EventLog } from './events/event-log.js';
import { EventRepository } from './events/events.repository.js';
import { EventService } from './events/events.service.js';
import { WebhookDeliveryRepository, WebhookEndpointRepository } from './webhooks/webhooks.repository.js';
import { WebhookService } from './webhooks/webhooks.service.js';
import { SearchRepository } from './search/search.repository.js';
import { SearchService } from './search/search.service.js';
import { ReportService } from './reports/reports.service.js';
import { SandboxRepository } from './resources/sandboxes/sandboxes.repository.js';
import { SandboxService } from './resources/sandboxes/sandboxes.service.js';
import { SampleData } from './resources/sandboxes/sample-data.js';
import { presentContact } from './resources/contacts/contacts.presenter.js';
import { presentCompany } from './resources/companies/companies.presenter.js';
import { presentLead } from './resources/leads/leads.presenter.js';
import { presentDeal } from './resources/deals/deals.presenter.js';
import { presentActivity } from './resources/activities/activities.presenter.js';
import { presentTask } from './resources/tasks/tasks.presenter.js';
import { importTargets } from './imports/import-targets.js';
import { ImportRepository } from './imports/imports.repository.js';
import { ImportService } from './imports/imports.service.js';
import { AuthService } from './auth/auth.service.js';
import { SignInThrottle } from './auth/sign-in-throttle.js';
import { CredentialCache } from './resources/api-keys/credential-cache.js';

export type Services = ReturnType<typeof createServices>;

export function createServices(storage: Storage, clock: Clock, config: Config) {
  const { capabilities } = storage;
  const workspaceRepository = new WorkspaceRepository();
  const eventRepository = new EventRepository(capabilities);
  const endpointRepository = new WebhookEndpointRepository(capabilities);
  const deliveryRepository = new WebhookDeliveryRepository(capabilities);
  const eventLog = new EventLog(eventRepository, endpointRepository, deliveryRepository);
  // After a commit that queued deliveries, the worker is told to look at once.
  const deliveriesQueued = { listener: (): void => {} };
  const tx = createTransactor(storage.db, storage.reader, clock, workspaceRepository, () => {
    if (eventLog.takeQueued()) deliveriesQueued.listener();
  });
  const userRepository = new UserRepository(capabilities);
  const apiKeyRepository = new ApiKeyRepository(capabilities);
  const companyRepository = new CompanyRepository(capabilities);
  const contactRepository = new ContactRepository(capabilities);
  const tagRepository = new TagRepository(capabilities);
  const pipelineRepository = new PipelineRepository(capabilities);
  const dealRepository = new DealRepository(capabilities);
  const leadRepository = new LeadRepository(capabilities);
  const activityRepository = new ActivityRepository(capabilities);
  const taskRepository = new TaskRepository(capabilities);
  const defaultRateLimit = config.rateLimit.perMinute;
  const tagging = new Tagging(tx, tagRepository);

  // Who lets go of what when a record is deleted (domain/references.ts).
  const referrers = [contactRepository, companyRepository, dealRepository, leadRepository, activityRepository, taskRepository];

  const credentials = new CredentialCache(config.keyCacheTtlMs);
  const users = new UserService(tx, capabilities, userRepository, referrers, eventLog, credentials);
  const apiKeys = new ApiKeyService(tx, clock, apiKeyRepository, userRepository, defaultRateLimit, credentials);
  const pipelines = new PipelineService(tx, pipelineRepository, eventLog);
  const deals = new DealService(tx, dealRepository, pipelineRepository, tagging, referrers, eventLog);
  pipelines.attachOccupancy(deals);
  const companies = new CompanyService(tx, capabilities, companyRepository, userRepository, tagging, referrers, eventLog);
  const contacts = new ContactService(tx, capabilities, contactRepository, companyRepository, userRepository, tagging, referrers, eventLog);
  const newWorkspaceSetup = async (db: Executor, workspace: { id: string }, _owner: unknown, at: number) => {
    await pipelines.createDefault(db, workspace.id, at);
  };
  const leads = new LeadService(tx, capabilities, leadRepository, userRepository, tagging, { contacts, companies, deals }, referrers, eventLog);
  const activities = new ActivityService(tx, capabilities, clock, activityRepository, eventLog);
  const tasks = new TaskService(tx, taskRepository, userRepository, eventLog);
  // How knock-on events (records a deletion, merge or tag change touched) show each kind of record.
  eventLog.readRecordsWith([
    { table: 'contacts', type: 'contact', read: async (db, ws, ids) => (await tagging.attach(ws, 'contact', await byIds(ids, (id) => contactRepository.find(db, ws, id)), db)).map(presentContact) },
    { table: 'companies', type: 'company', read: async (db, ws, ids) => (await tagging.attach(ws, 'company', await byIds(ids, (id) => companyRepository.find(db, ws, id)), db)).map(presentCompany) },
    { table: 'leads', type: 'lead', read: async (db, ws, ids) => (await tagging.attach(ws, 'lead', await byIds(ids, (id) => leadRepository.find(db, ws, id)), db)).map(presentLead) },
    { table: 'deals', type: 'deal', read: async (db, ws, ids) => (await deals.views(ws, await byIds(ids, (id) => dealRepository.find(db, ws, id)), db)).map(presentDeal) },
    { table: 'activities', type: 'activity', read: async (db, ws, ids) => (await byIds(ids, (id) => activityRepository.find(db, ws, id))).map(presentActivity) },
    { table: 'tasks', type: 'task', read: async (db, ws, ids) => (await byIds(ids, (id) => taskRepository.find(db, ws, id))).map(presentTask) },
  ]);
  const webhooks = new WebhookService(tx, endpointRepository, deliveryRepository, eventLog, config.webhooks.allowPrivate, workspaceRepository, eventRepository);
  const signInThrottle = new SignInThrottle(config.redisUrl, config.redisKeyPrefix);
  const imports = new ImportService(tx, clock, new ImportRepository(), importTargets({ contacts, companies, leads, deals, activities }), config.imports);
  return {
    storage,
    credentials,
    events: new EventService(tx, eventRepository),
    webhooks,
    /** What the delivery worker needs; app.ts starts it. */
    outbox: { eventRepository, endpointRepository, deliveryRepository, deliveriesQueued },
    /** What the import runner needs; app.ts starts it. */
    eventLog,
    tx,
    imports,
    users,
    apiKeys,
    auth: new AuthService(tx, clock, userRepository, users, workspaceRepository, signInThrottle, defaultRateLimit, credentials),
    signInThrottle,
    workspaces: new WorkspaceService(tx, capabilities, clock, workspaceRepository, users, apiKeys, [newWorkspaceSetup]),
    me: new MeService(tx, userRepository, workspaceRepository, apiKeyRepository, defaultRateLimit),
    companies,
    contacts,
    leads,
    tags: new TagService(tx, capabilities, tagRepository, eventLog),
    pipelines,
    deals,
    activities,
    tasks,
    reports: new ReportService(tx, clock, pipelineRepository, capabilities),
    sandboxes: new SandboxService(tx, clock, workspaceRepository, new SandboxRepository(), apiKeys, new SampleData({ companies, contacts, deals, pipelines, leads, activities, tasks })),
    search: new SearchService(tx, new SearchRepository(capabilities)),
    timeline: new TimelineService(tx, new TimelineRepository(), (type, workspaceId, id) => {
      const repositories = { contact: contactRepository, company: companyRepository, deal: dealRepository, lead: leadRepository };
      return repositories[type].exists(tx.db, workspaceId, id);
    }),
  };
}

/** The records with these ids that exist, one look-up each, in order. */
async function byIds<T>(ids: readonly string[], find: (id: string) => Promise<T | undefined>): Promise<T[]> {
  const found: T[] = [];
  for (const id of ids) {
    const record = await find(id);
    if (record !== undefined) found.push(record);
  }
  return found;
}
