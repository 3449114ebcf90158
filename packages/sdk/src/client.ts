/**
 * The Trellis client: one namespace per resource, named as the API's
 * operationIds (`contacts.list` is `client.contacts.list`).
 */
import { Api } from './core/api.js';
import type { ClientOptions, RateLimitState } from './core/options.js';
import { Transport } from './core/transport.js';
import { Events, WebhookDeliveries, WebhookEndpoints } from './resources/events.js';
import { Reports, search, type Search } from './resources/insights.js';
import { Activities, Companies, Contacts, Deals, Leads, Tasks } from './resources/records.js';
import { ApiKeys, Me, Pipelines, Sandboxes, Stages, Tags, Users, WorkspaceResource, Workspaces } from './resources/workspace.js';
import { Exports, Imports } from './resources/transfers.js';
import { Auth, Invitations } from './resources/auth.js';
import { webhooks } from './webhooks.js';
import type { CallSpec } from './core/transport.js';
import type { OperationId } from './core/operation-types.js';
import type { WriteOptions } from './core/options.js';

export class Trellis {
  /** Verify (and, for tests, sign) webhook deliveries: `await Trellis.webhooks.verify(rawBody, headers, secret)`. */
  static readonly webhooks = webhooks;

  readonly contacts: Contacts;
  readonly companies: Companies;
  readonly leads: Leads;
  readonly deals: Deals;
  readonly pipelines: Pipelines;
  readonly stages: Stages;
  readonly activities: Activities;
  readonly tasks: Tasks;
  readonly tags: Tags;
  readonly users: Users;
  readonly apiKeys: ApiKeys;
  readonly workspace: WorkspaceResource;
  readonly me: Me;
  readonly events: Events;
  readonly webhookEndpoints: WebhookEndpoints;
  readonly webhookDeliveries: WebhookDeliveries;
  readonly sandboxes: Sandboxes;
  readonly search: Search;
  readonly reports: Reports;
  /** The instance operator's: create workspaces (with the operator token as apiKey). */
  readonly workspaces: Workspaces;
  readonly imports: Imports;
  readonly exports: Exports;
  /** Sign-in, sessions, passwords and one-time links (the web app's; scripts may use them too). */
  readonly auth: Auth;
  readonly invitations: Invitations;
  readonly webhooks = webhooks;

  private readonly transport: Transport;

  constructor(options: ClientOptions = {}) {
    this.transport = new Transport(options);
    const api = new Api(this.transport);
    this.contacts = new Contacts(api);
    this.companies = new Companies(api);
    this.leads = new Leads(api);
    this.deals = new Deals(api);
    this.pipelines = new Pipelines(api);
    this.stages = new Stages(api);
    this.activities = new Activities(api);
    this.tasks = new Tasks(api);
    this.tags = new Tags(api);
    this.users = new Users(api);
    this.apiKeys = new ApiKeys(api);
    this.workspace = new WorkspaceResource(api);
    this.me = new Me(api);
    this.events = new Events(api);
    this.webhookEndpoints = new WebhookEndpoints(api);
    this.webhookDeliveries = new WebhookDeliveries(api);
    this.sandboxes = new Sandboxes(api);
    this.search = search(api);
    this.reports = new Reports(api);
    this.workspaces = new Workspaces(api);
    this.imports = new Imports(api);
    this.exports = new Exports(api);
    this.auth = new Auth(api);
    this.invitations = new Invitations(api);
  }

  /**
   * Any operation by its operationId, untyped: for tools that take the
   * operation from their user (the `trellis api` command). Answers the parsed
   * JSON envelope (or text for `as: 'text'`).
   */
  call(operation: OperationId, spec: Omit<CallSpec, 'as' | 'rawBody'> & { as?: 'json' | 'text' } = {}, options?: WriteOptions): Promise<unknown> {
    return this.transport.call(operation, spec, options);
  }

  /** The rate-limit state (`X-RateLimit-*`) of the last answer that carried it. */
  get lastRateLimit(): RateLimitState | undefined {
    return this.transport.lastRateLimit;
  }

  /** The server root requests go to. */
  get baseUrl(): string {
    return this.transport.settings.baseUrl;
  }
}
