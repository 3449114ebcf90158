/** Nutshell contacts are Trellis contacts. */
import { contactListSpec } from '../../resources/contacts/contacts.list.js';
import { ContactCreate, ContactUpdate } from '../../resources/contacts/contacts.schema.js';
import type { ContactView } from '../../resources/contacts/contacts.service.js';
import { isObject, toId } from '../args.js';
import { byId, byTag } from '../find-query.js';
import { address, customFields, emails, firstOf, list, oneValue, phones, ref, refId, same, tags, type FieldIn } from '../nutshell-input.js';
import { contactEntity, contactStub } from '../nutshell-shapes.js';
import { invalidParams, type Args } from '../protocol.js';
import type { Family } from './entity-family.js';

/** "Joan Smith": the last word is the family name; or `{givenName, familyName}` (an empty one is none). */
const name: FieldIn = {
  to: ['first_name', 'last_name'],
  read: (value) => {
    if (isObject(value)) return { first_name: value.givenName || null, last_name: value.familyName || null };
    if (typeof value !== 'string') throw invalidParams('contact.name must be a string or {givenName, familyName}.');
    const words = value.trim().split(/\s+/).filter(Boolean);
    return { first_name: words.length > 1 ? words.slice(0, -1).join(' ') : (words[0] ?? null), last_name: words.length > 1 ? (words.at(-1) as string) : null };
  },
};

/** A contact works at one company (the first given); the relationship to it is the job title. */
const accounts: FieldIn = {
  to: ['company_id', 'title'],
  read: (value, ctx): Args => {
    const account = firstOf('contact.accounts', list(value), ctx);
    if (account === undefined) return { company_id: null };
    const relationship = isObject(account) ? account.relationship : undefined;
    return { company_id: refId('accounts', account, 'Accounts'), ...(relationship !== undefined && { title: relationship }) };
  },
};

export const contactFamily: Family<ContactView, ContactCreate, ContactUpdate> = {
  name: 'Contact',
  plural: 'Contacts',
  noun: 'contact',
  trellis: 'contact',
  service: (ctx) => ctx.services.contacts,
  listSpec: contactListSpec,
  schemas: { create: ContactCreate, update: ContactUpdate },
  fields: { name, description: same('description'), email: emails, phone: phones, url: { to: ['website'], read: (value, ctx) => ({ website: oneValue('contact.url', value, ctx) }) }, address, accounts, owner: ref('owner_id', 'Users'), tags, customFields },
  readOnly: { leads: "add the contact to a lead from the lead (its contacts)." },
  query: { accountId: byId('company_id', 'Accounts'), owner: byId('owner_id', 'Users'), tag: byTag },
  scopes: {
    // A lead's contacts: the deal names them.
    leadId: async (value, ctx) => {
      const actor = ctx.actor();
      const deal = await ctx.services.deals.get(actor, toId('leadId', value));
      return Promise.all(deal.contact_ids.map((id) => ctx.services.contacts.get(actor, id)));
    },
  },
  orderBy: { name: 'first_name,last_name', displayName: 'first_name,last_name', givenName: 'first_name', firstName: 'first_name', familyName: 'last_name', lastName: 'last_name', email: 'email' },
  stub: contactStub,
  entity: (contact, ctx) => contactEntity(contact, ctx.related),
};
