/**
 * A small sample data set for a new sandbox, made through the services as any
 * client would make it (so it obeys every rule and has its events): companies,
 * their contacts, deals across the default pipeline (one won), leads, an
 * activity and a task.
 */
import type { Actor } from '../../domain/actor.js';
import type { ActivityService } from '../activities/activities.service.js';
import type { CompanyService } from '../companies/companies.service.js';
import type { ContactService } from '../contacts/contacts.service.js';
import type { DealService } from '../deals/deals.service.js';
import type { LeadService } from '../leads/leads.service.js';
import type { PipelineService } from '../pipelines/pipelines.service.js';
import type { TaskService } from '../tasks/tasks.service.js';

const COMPANIES = [
  { name: 'Acme Corporation', domain: 'acme.example', industry: 'Manufacturing', people: [['Ada', 'Lovelace', 'CTO'], ['Grace', 'Hopper', 'VP Engineering']] },
  { name: 'Globex', domain: 'globex.example', industry: 'Energy', people: [['Hank', 'Scorpio', 'CEO']] },
  { name: 'Initech', domain: 'initech.example', industry: 'Software', people: [['Peter', 'Gibbons', 'Engineer'], ['Bill', 'Lumbergh', 'Director']] },
] as const;

export class SampleData {
  constructor(
    private readonly services: {
      companies: CompanyService;
      contacts: ContactService;
      deals: DealService;
      pipelines: PipelineService;
      leads: LeadService;
      activities: ActivityService;
      tasks: TaskService;
    },
  ) {}

  async fill(actor: Actor): Promise<void> {
    const { companies, contacts, deals, pipelines, leads, activities, tasks } = this.services;
    for (const [index, sample] of COMPANIES.entries()) {
      const company = await companies.create(actor, { name: sample.name, domain: sample.domain, industry: sample.industry });
      const people = [];
      for (const [first, last, title] of sample.people) {
        people.push(await contacts.create(actor, { first_name: first, last_name: last, title, email: `${first.toLowerCase()}@${sample.domain}`, company_id: company.id }));
      }
      const deal = await deals.create(actor, {
        name: `${sample.name} — pilot`,
        value: { amount: 12_000 * (index + 1), currency: 'USD' },
        company_id: company.id,
        contact_ids: people.map((p) => p.id),
      });
      const stages = (await pipelines.get(actor, deal.pipeline_id)).stages;
      // One deal per stage along the pipeline; the last company's deal is won.
      const target = index === COMPANIES.length - 1 ? stages.find((s) => s.type === 'won') : stages.filter((s) => s.type === 'open')[index];
      if (target && target.id !== deal.stage_id) await deals.move(actor, deal.id, target.id);
      const [contact] = people;
      if (contact) {
        await activities.create(actor, { type: 'call', subject: `Intro call with ${contact.first_name}`, contact_id: contact.id, deal_id: deal.id, duration_seconds: 900, direction: 'outbound', outcome: 'connected' });
        await tasks.create(actor, { title: `Send ${sample.name} a proposal`, deal_id: deal.id, contact_id: contact.id, priority: 'high' });
      }
    }
    await leads.create(actor, { first_name: 'Jane', last_name: 'Prospect', email: 'jane@prospect.example', company_name: 'Prospect Ltd', source: 'website' });
    await leads.create(actor, { first_name: 'Omar', last_name: 'Inbound', email: 'omar@inbound.example', source: 'referral' });
  }
}
