/**
 * Table types for Kysely. Timestamps are integer milliseconds since the epoch
 * in both databases; JSON values are stored as text.
 */


export interface WorkspaceTable {
  id: string;
  name: string;
  plan: string | null;
  /** Set on a sandbox: the workspace it was made from. */
  parent_workspace_id: string | null;
  /** Enabled webhook endpoints; 0 spares every write the look-up of subscribers. */
  webhook_endpoints_enabled: number;
  /** The last change time handed out in this workspace; see domain/change-clock.ts. */
  change_clock: number;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface UserTable {
  id: string;
  workspace_id: string;
  email: string;
  name: string;
  role: string;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface ApiKeyTable {
  id: string;
  workspace_id: string;
  user_id: string;
  name: string;
  prefix: string;
  secret_hash: string;
  scope: string;
  grants: string;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  rate_limit_per_minute: number | null;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface AddressColumns {
  address_street: string | null;
  address_city: string | null;
  address_state: string | null;
  address_postal_code: string | null;
  address_country: string | null;
}

export interface CompanyTable extends AddressColumns {
  id: string;
  workspace_id: string;
  name: string;
  domain: string | null;
  industry: string | null;
  employee_count: number | null;
  phone: string | null;
  website: string | null;
  email: string | null;
  description: string | null;
  owner_id: string | null;
  custom_fields: string;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface ContactTable extends AddressColumns {
  id: string;
  workspace_id: string;
  first_name: string | null;
  last_name: string | null;
  /** The primary email, mirrored from contact_emails. */
  email: string | null;
  /** Every email with its label, primary first, as JSON; contact_emails indexes them. */
  emails: string;
  phone: string | null;
  phones: string;
  title: string | null;
  company_id: string | null;
  owner_id: string | null;
  status: string;
  source: string | null;
  description: string | null;
  website: string | null;
  custom_fields: string;
  created_at: number;
  updated_at: number;
  version: number;
}

/** Every address of a contact, unique per workspace, so dedup matches any of them. */
export interface ContactEmailTable {
  workspace_id: string;
  email: string;
  contact_id: string;
  label: string | null;
  position: number;
}


export interface TagTable {
  id: string;
  workspace_id: string;
  name: string;
  /** lower-cased, single-spaced name: tag names are unique regardless of case */
  name_key: string;
  color: string | null;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface RecordTagTable {
  workspace_id: string;
  tag_id: string;
  record_type: string;
  record_id: string;
}

export interface PipelineTable {
  id: string;
  workspace_id: string;
  name: string;
  is_default: number;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface StageTable {
  id: string;
  workspace_id: string;
  pipeline_id: string;
  name: string;
  position: number;
  probability: number;
  type: string;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface LeadTable {
  id: string;
  workspace_id: string;
  first_name: string;
  last_name: string;
  name_key: string;
  email: string | null;
  phone: string | null;
  company_name: string | null;
  website: string | null;
  source: string | null;
  address: string | null;
  city: string | null;
  state: string | null;
  zipcode: string | null;
  country: string | null;
  status: string;
  owner_id: string | null;
  created_by: string | null;
  custom_fields: string;
  converted_at: number | null;
  converted_contact_id: string | null;
  converted_company_id: string | null;
  converted_deal_id: string | null;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface DealTable {
  id: string;
  workspace_id: string;
  name: string;
  amount: number | null;
  currency: string | null;
  pipeline_id: string;
  stage_id: string;
  status: string;
  probability: number | null;
  owner_id: string | null;
  company_id: string | null;
  expected_close_date: string | null;
  closed_at: number | null;
  lost_reason: string | null;
  source: string | null;
  description: string | null;
  custom_fields: string;
  stage_entered_at: number;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface DealContactTable {
  workspace_id: string;
  deal_id: string;
  contact_id: string;
  position: number;
}

export interface DealStageChangeTable {
  id: string;
  workspace_id: string;
  deal_id: string;
  from_stage_id: string | null;
  to_stage_id: string;
  changed_at: number;
  changed_by: string | null;
  ms_in_previous_stage: number | null;
}

export interface RecordLinks {
  contact_id: string | null;
  company_id: string | null;
  deal_id: string | null;
  lead_id: string | null;
}

export interface ActivityTable extends RecordLinks {
  id: string;
  workspace_id: string;
  type: string;
  subject: string | null;
  body: string | null;
  occurred_at: number;
  duration_seconds: number | null;
  direction: string | null;
  outcome: string | null;
  logged_by: string | null;
  source: string | null;
  external_id: string | null;
  custom_fields: string;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface TaskTable extends RecordLinks {
  id: string;
  workspace_id: string;
  title: string;
  description: string | null;
  due_at: number | null;
  priority: string;
  assignee_id: string | null;
  status: string;
  completed_at: number | null;
  custom_fields: string;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface EventTable {
  id: string;
  workspace_id: string;
  type: string;
  record_id: string | null;
  data: string;
  request_id: string | null;
  actor_user_id: string | null;
  actor_key_id: string | null;
  created_at: number;
}

export interface WebhookEndpointTable {
  id: string;
  workspace_id: string;
  url: string;
  description: string | null;
  events: string;
  enabled: number;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: number | null;
  failing_since: number | null;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
  version: number;
}

export interface WebhookDeliveryTable {
  id: string;
  workspace_id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  lease_until: number | null;
  last_attempt_at: number | null;
  last_status_code: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  last_response_body: string | null;
  delivered_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface IdempotencyKeyTable {
  workspace_id: string;
  key: string;
  request_hash: string;
  state: string;
  locked_until: number;
  response_status: number | null;
  response_body: string | null;
  created_at: number;
  expires_at: number;
}

export interface ImportTable {
  id: string;
  workspace_id: string;
  resource: string;
  format: string;
  status: string;
  on_duplicate: string;
  dry_run: number;
  mapping: string;
  /** JSON: a CSV file's header row. */
  columns: string | null;
  file_name: string | null;
  file_bytes: number;
  rows_read: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
  error: string | null;
  /** JSON: who started the import (the Actor its rows are written as). */
  actor: string;
  lease_until: number | null;
  started_at: number | null;
  finished_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface ImportErrorTable {
  import_id: string;
  row_number: number;
  reason: string;
  row_data: string;
}

export interface ImportFingerprintTable {
  workspace_id: string;
  resource: string;
  fingerprint: string;
  record_id: string;
}

export interface UserPasswordTable {
  user_id: string;
  workspace_id: string;
  password_hash: string;
  changed_at: number;
}

export interface SessionTable {
  id: string;
  workspace_id: string;
  user_id: string;
  token_hash: string;
  user_agent: string | null;
  ip: string | null;
  created_at: number;
  last_used_at: number;
  expires_at: number;
}

export interface AuthLinkTable {
  id: string;
  workspace_id: string;
  kind: string;
  token_hash: string;
  email: string;
  role: string | null;
  user_id: string | null;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
}

/** How many records of a kind (`resource`, the table's name) a workspace holds, kept by triggers. */
export interface RecordCountTable {
  workspace_id: string;
  resource: string;
  count: number;
}

/** Deals per stage, kept by triggers (the deal_stage_counts migration). */
export interface DealStageCountTable {
  workspace_id: string;
  stage_id: string;
  count: number;
}

export interface Database {
  workspaces: WorkspaceTable;
  users: UserTable;
  api_keys: ApiKeyTable;
  companies: CompanyTable;
  contacts: ContactTable;
  contact_emails: ContactEmailTable;
  tags: TagTable;
  record_tags: RecordTagTable;
  pipelines: PipelineTable;
  stages: StageTable;
  leads: LeadTable;
  deals: DealTable;
  deal_contacts: DealContactTable;
  deal_stage_changes: DealStageChangeTable;
  activities: ActivityTable;
  tasks: TaskTable;
  events: EventTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_deliveries: WebhookDeliveryTable;
  idempotency_keys: IdempotencyKeyTable;
  imports: ImportTable;
  import_errors: ImportErrorTable;
  import_fingerprints: ImportFingerprintTable;
  user_passwords: UserPasswordTable;
  sessions: SessionTable;
  auth_links: AuthLinkTable;
  record_counts: RecordCountTable;
  deal_stage_counts: DealStageCountTable;
}
