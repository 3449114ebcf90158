/**
 * The lead fields that need more than a rename: sources, products, a Teams
 * assignee, accounts beside primaryAccount, and the name Trellis generates
 * when a lead is created without one (Nutshell's names are optional).
 */
import { DomainError } from '../../domain/errors.js';
import { parseListQuery } from '../../list/list-query.js';
import { dealListSpec } from '../../resources/deals/deals.list.js';
import { LEAD_SOURCES } from '../../resources/leads/leads.schema.js';
import { isNone, isObject } from '../args.js';
import type { RpcContext } from '../context.js';
import { firstOf, list, money, refId, type FieldIn } from '../nutshell-input.js';
import type { Args } from '../protocol.js';

/**
 * A deal has one free-text source: a source's name, or its id (which is its
 * name, as findSources answers). An id that names no Trellis source (a
 * Nutshell source number) is not kept.
 */
export const sources: FieldIn = {
  to: ['source'],
  read: (value, ctx) => {
    const source = firstOf('lead.sources', list(value), ctx);
    if (source === undefined) return { source: null };
    const name = isObject(source) ? source.name : typeof source === 'string' ? source : undefined;
    if (typeof name === 'string' && name.trim() !== '') return { source: name };
    const id = isObject(source) ? source.id : source;
    if (typeof id === 'string' && (LEAD_SOURCES as readonly string[]).includes(id)) return { source: id };
    ctx.warn(`lead.sources: ${JSON.stringify(id)} is not a Trellis source (see findSources) and was not kept; send a source's name.`);
    return {};
  },
};

/** Users only: Trellis has no teams, so a lead assigned to a team keeps its assignee (none, when new). */
export const assignee: FieldIn = {
  to: ['owner_id'],
  read: (value, ctx) => {
    if (isObject(value) && value.entityType === 'Teams') {
      ctx.warn('lead.assignee: Trellis has no teams; the lead was not assigned to the team (assign a user).');
      return {};
    }
    return { owner_id: isNone(value) ? null : refId('assignee', value, 'Users') };
  },
};

/** A relationship to a lead (a contact's "First Contact", an account's "Customer") has no place on a Trellis deal: it is not kept, and a warning says so. */
function relationshipsNotKept(field: string, entries: unknown[], ctx: RpcContext): void {
  if (entries.some((entry) => isObject(entry) && typeof entry.relationship === 'string' && entry.relationship.trim() !== '')) {
    ctx.warn(`${field}: a relationship to a lead was accepted and not kept; Trellis links them to deals without one (it answers null).`);
  }
}

/** The lead's contacts; their relationships are not kept. */
export const contacts: FieldIn = {
  to: ['contact_ids'],
  read: (value, ctx) => {
    const entries = list(value);
    relationshipsNotKept('lead.contacts', entries, ctx);
    return { contact_ids: entries.map((contact, i) => refId(`contacts.${i}`, contact, 'Contacts')) };
  },
};

/** One account: primaryAccount when it is among them, else the first. */
export const accounts: FieldIn = {
  to: ['company_id'],
  with: ['primaryAccount'],
  read: (value, ctx, entity) => {
    relationshipsNotKept('lead.accounts', list(value), ctx);
    const ids = list(value).map((account, i) => refId(`accounts.${i}`, account, 'Accounts'));
    const primary = entity.primaryAccount === undefined || isNone(entity.primaryAccount) ? undefined : refId('primaryAccount', entity.primaryAccount, 'Accounts');
    const kept = primary !== undefined && ids.includes(primary) ? primary : ids[0];
    if (ids.length > 1) ctx.warn(`lead.accounts: a Trellis deal has one company; ${kept} was kept and ${ids.length - 1} other${ids.length > 2 ? 's were' : ' was'} not.`);
    return { company_id: kept ?? null };
  },
};

/**
 * Products are not kept (Trellis has none), but they say what the lead is
 * worth: a lead without a value gets their total (quantity × price, in one
 * currency), as Nutshell computes it.
 */
export const products: FieldIn = {
  to: ['value'],
  read: (value, ctx, entity) => {
    const lines = list(value);
    if (lines.length === 0) return {};
    const total = productsTotal(lines);
    const hasValue = entity.value !== undefined && entity.value !== null;
    if (hasValue || total === undefined) {
      ctx.warn(`lead.products were accepted and not kept: Trellis has no products${hasValue ? '' : ', and their prices give no total in one currency'}.`);
      return {};
    }
    ctx.warn("lead.products were accepted and not kept: Trellis has no products; the lead's value is their total.");
    return { value: money(total) };
  },
};

function productsTotal(lines: unknown[]): { amount: number; currency: string } | undefined {
  let amount = 0;
  const currencies = new Set<string>();
  for (const line of lines) {
    const price = isObject(line) && isObject(line.price) ? line.price : undefined;
    const each = typeof price?.amount === 'string' ? Number(price.amount) : price?.amount;
    const quantity = isObject(line) && line.quantity !== undefined ? Number(line.quantity) : 1;
    if (typeof each !== 'number' || !Number.isFinite(each) || !Number.isFinite(quantity)) return undefined;
    const currency = price?.currency ?? price?.currency_shortname ?? 'USD';
    currencies.add(String(currency).toUpperCase());
    amount += each * quantity;
  }
  const [currency] = [...currencies];
  return currencies.size === 1 && currency !== undefined ? { amount, currency } : undefined;
}

const MAX_BASE = 180;

/**
 * A lead created without a name is named after its account, else its first
 * contact, and numbered among that account's (contact's) leads:
 * "Arbor Medical LLC - Lead 3", "Joan Smith - Lead 1"; with neither, by the
 * workspace's leads: "Lead 42". The number is left out when the key may not
 * read leads.
 */
export async function withLeadName(body: Args, ctx: RpcContext): Promise<Args> {
  if (typeof body.name === 'string' && body.name.trim() !== '') return body;
  const companyId = typeof body.company_id === 'string' ? body.company_id : undefined;
  const contactId = Array.isArray(body.contact_ids) && typeof body.contact_ids[0] === 'string' ? body.contact_ids[0] : undefined;
  const account = companyId === undefined ? undefined : await ctx.related.account(companyId);
  const contact = contactId === undefined ? undefined : await ctx.related.contact(contactId);
  let base: string | undefined;
  let filter: Record<string, string> = {};
  if (typeof account?.name === 'string' && companyId !== undefined) [base, filter] = [account.name, { company_id: companyId }];
  else if (typeof contact?.name === 'string' && contact.name !== '' && contactId !== undefined) [base, filter] = [contact.name, { contact_id: contactId }];
  const count = await leadsCounted(ctx, filter);
  const number = count === undefined ? '' : ` ${count + 1}`;
  return { ...body, name: base === undefined ? `Lead${number}` : `${base.slice(0, MAX_BASE).trim()} - Lead${number}` };
}

async function leadsCounted(ctx: RpcContext, filter: Record<string, string>): Promise<number | undefined> {
  try {
    return (await ctx.services.deals.list(ctx.actor(), parseListQuery(dealListSpec, { ...filter, limit: '1' }))).total;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'insufficient_scope') return undefined;
    throw error;
  }
}
