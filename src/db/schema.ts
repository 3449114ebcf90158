/**
 * Table types for Kysely. Timestamps are integer milliseconds since the epoch
 * in both databases; JSON values are stored as text.
 */


export interface WorkspaceTable {
  id: string;
  name: string;
  plan: string | null;
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


export interface Database {
  workspaces: WorkspaceTable;
  users: UserTable;
  api_keys: ApiKeyTable;
  companies: CompanyTable;
  contacts: ContactTable;
  contact_emails: ContactEmailTable;
}
