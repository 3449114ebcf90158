/** Imports: CSV and JSON Lines through the rules of each record type, the error report, dedup on re-import, dry runs, scopes and isolation. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCompany, createContact, createDeal, createTenant, keyFor, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { importFile } from './helpers/imports.js';

let server: TestServer;
let tenant: Tenant;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
});
after(() => server.close());

describe('CSV import of contacts', () => {
  it('creates valid rows, reports invalid ones with their reason, and maps headers by name', async () => {
    const domain = unique('imp');
    const csv = [
      'First Name,Last name,E-mail,Phone,address.city,custom_fields.plan,Notes',
      `Ada,Lovelace,ada@${domain}.com,+44 20 7946 0000,London,gold,ignored`,
      `Grace,Hopper,not-an-email,,,,`,
      `,,,,,,nothing at all`,
      `Linus,,linus@${domain}.com,,Helsinki,,`,
    ].join('\r\n');
    const job = await importFile(tenant.api, `resource=contacts&map=${encodeURIComponent(JSON.stringify({ 'E-mail': 'email', Notes: null }))}`, csv);
    assert.equal(job.status, 'completed', JSON.stringify(job));
    assert.deepEqual([job.rows_read, job.created, job.failed], [4, 2, 2]);
    const found = (await tenant.api.get(`/v1/contacts?email=ada@${domain}.com`)).body.data;
    assert.equal(found.length, 1);
    assert.equal(found[0].phone, '+44 20 7946 0000');
    assert.equal(found[0].address.city, 'London');
    assert.deepEqual(found[0].custom_fields, { plan: 'gold' });

    const report = await tenant.api.get(`/v1/imports/${job.id}/errors`);
    assert.equal(report.status, 200);
    assert.match(report.headers.get('content-type') ?? '', /text\/csv/);
    const lines = report.text.trim().split(/\r?\n/);
    assert.equal(lines[0], '_row,First Name,Last name,E-mail,Phone,address.city,custom_fields.plan,Notes,_error');
    assert.equal(lines.length, 3);
    assert.match(lines[1] ?? '', /^2,Grace,Hopper,not-an-email,.*email/);
    assert.match(lines[2] ?? '', /^3,.*first_name/);
  });

  it('imports the fixed error report, and importing a file again writes nothing twice', async () => {
    const domain = unique('again');
    const csv = `first_name,email\nAnn,ann@${domain}.com\nBob,bob@${domain}\nCy,\n`;
    const first = await importFile(tenant.api, 'resource=contacts', csv);
    assert.deepEqual([first.created, first.failed], [2, 1]);
    const report = (await tenant.api.get(`/v1/imports/${first.id}/errors`)).text.replace(`bob@${domain}`, `bob@${domain}.com`);
    const fixed = await importFile(tenant.api, 'resource=contacts', report);
    assert.deepEqual([fixed.created, fixed.failed], [1, 0], JSON.stringify(fixed));

    const again = await importFile(tenant.api, 'resource=contacts', csv);
    // Ann by her email (skipped), Cy by the row's fingerprint (unchanged); bob@domain still fails.
    assert.deepEqual([again.created, again.skipped, again.unchanged, again.failed], [0, 1, 1, 1]);
    const contacts = (await tenant.api.get(`/v1/contacts?q=${domain}`)).body.data;
    assert.equal(contacts.length, 2);
  });

  it('on_duplicate: update changes the existing record, fail rejects the row naming it', async () => {
    const existing = await createContact(tenant.api, { first_name: 'Old', title: null });
    const updated = await importFile(tenant.api, 'resource=contacts&on_duplicate=update', `email,title\n${existing.email},CTO\n`);
    assert.equal(updated.updated, 1);
    assert.equal((await tenant.api.get(`/v1/contacts/${existing.id}`)).body.data.title, 'CTO');
    const failed = await importFile(tenant.api, 'resource=contacts&on_duplicate=fail', `email,title\n${existing.email},CEO\n`);
    assert.equal(failed.failed, 1);
    assert.match((await tenant.api.get(`/v1/imports/${failed.id}/errors`)).text, new RegExp(existing.id));
  });

  it('a dry run checks every row and keeps nothing', async () => {
    const domain = unique('dry');
    const job = await importFile(tenant.api, 'resource=contacts&dry_run=true', `first_name,email\nDee,dee@${domain}.com\nBad,bad\n`);
    assert.equal(job.dry_run, true);
    assert.deepEqual([job.created, job.failed], [1, 1]);
    assert.equal((await tenant.api.get(`/v1/contacts?email=dee@${domain}.com`)).body.data.length, 0);
  });

  it('refuses a header that names no field before importing anything', async () => {
    const response = await tenant.api.request('POST', '/v1/imports?resource=contacts', 'first_name,favourite_colour\nA,blue\n', { 'content-type': 'text/csv' });
    assert.equal(response.status, 400, response.text);
    assert.equal(response.body.error.code, 'validation_error');
    assert.match(response.body.error.message, /favourite_colour/);
    assert.ok(response.body.error.details.allowed.includes('first_name'));
  });

  it('announces the end with an import.completed event naming the counts', async () => {
    const job = await importFile(tenant.api, 'resource=contacts', `first_name\n${unique('Evt')}\n`);
    const events = (await tenant.api.get('/v1/events?type=import.completed')).body.data;
    const event = events.find((e: any) => e.data.object.id === job.id);
    assert.ok(event, 'no import.completed event');
    assert.equal(event.data.object.created, 1);
    assert.equal(event.actor.key_id, tenant.keyId);
  });
});

describe('a batch written at once keeps the row-by-row outcome', () => {
  it('treats a row repeating an earlier row of the same batch as a duplicate of the record that row created', async () => {
    const domain = unique('twice');
    const csv = `first_name,title,email\nAnn,Buyer,ann@${domain}.com\nBob,Buyer,bob@${domain}.com\nAnn,CFO,ANN@${domain}.com\n`;
    const skipped = await importFile(tenant.api, 'resource=contacts', csv);
    assert.deepEqual([skipped.created, skipped.skipped, skipped.failed], [2, 1, 0], JSON.stringify(skipped));
    const [ann] = (await tenant.api.get(`/v1/contacts?email=ann@${domain}.com`)).body.data;
    assert.equal(ann.title, 'Buyer');

    const other = unique('twice');
    const updated = await importFile(tenant.api, 'resource=contacts&on_duplicate=update', csv.replaceAll(domain, other));
    assert.deepEqual([updated.created, updated.updated], [2, 1], JSON.stringify(updated));
    const [annUpdated] = (await tenant.api.get(`/v1/contacts?email=ann@${other}.com`)).body.data;
    assert.equal(annUpdated.title, 'CFO', 'the later row updates the contact the earlier row created');

    const third = unique('twice');
    const failed = await importFile(tenant.api, 'resource=contacts&on_duplicate=fail', csv.replaceAll(domain, third));
    assert.deepEqual([failed.created, failed.failed], [2, 1]);
    const [annFailed] = (await tenant.api.get(`/v1/contacts?email=ann@${third}.com`)).body.data;
    const report = (await tenant.api.get(`/v1/imports/${failed.id}/errors`)).text.trim().split(/\r?\n/);
    assert.equal(report.length, 2);
    assert.match(report[1] ?? '', new RegExp(`^3,.*${annFailed.id}`), 'the report names the contact the earlier row created');
  });

  it('refuses a row whose second address an earlier row of the batch took, naming that contact', async () => {
    const domain = unique('shared');
    const jsonl = [JSON.stringify({ first_name: 'Cy', email: `cy@${domain}.com` }), JSON.stringify({ first_name: 'Di', emails: [{ email: `di@${domain}.com` }, { email: `cy@${domain}.com` }] })].join('\n');
    const job = await importFile(tenant.api, 'resource=contacts', jsonl, 'application/x-ndjson');
    assert.deepEqual([job.created, job.failed], [1, 1], JSON.stringify(job));
    const [cy] = (await tenant.api.get(`/v1/contacts?email=cy@${domain}.com`)).body.data;
    const line = JSON.parse((await tenant.api.get(`/v1/imports/${job.id}/errors`)).text.trim());
    assert.equal(line._row, 2);
    assert.match(line._error, new RegExp(`duplicate.*${cy.id}`));
  });

  it('writes the good rows around bad ones in the middle of a batch, and reports each bad row with its reason', async () => {
    const domain = unique('mid');
    const existing = await createContact(tenant.api, { email: `taken@${domain}.com` });
    const rows = Array.from({ length: 30 }, (_, i) => `Row${i},row${i}@${domain}.com,`);
    rows[10] = `Bad,not-an-email,`;
    rows[15] = `Owner,owner@${domain}.com,usr_00000000000000000000000000`;
    const csv = ['first_name,email,owner_id', ...rows, `Dup,taken@${domain}.com,`].join('\n');
    const job = await importFile(tenant.api, 'resource=contacts&on_duplicate=fail', csv);
    assert.deepEqual([job.rows_read, job.created, job.failed], [31, 28, 3], JSON.stringify(job));
    const report = (await tenant.api.get(`/v1/imports/${job.id}/errors`)).text.trim().split(/\r?\n/);
    assert.deepEqual(
      report.slice(1).map((line) => line.split(',')[0]),
      ['11', '16', '31'],
    );
    assert.match(report[1] ?? '', /email/);
    assert.match(report[2] ?? '', /owner_id/);
    assert.match(report[3] ?? '', new RegExp(existing.id));
    const written = (await tenant.api.get(`/v1/contacts?q=${domain}&limit=100`)).body.data;
    assert.equal(written.length, 29, 'the 28 imported and the one that was there');
    assert.ok(written.some((c: any) => c.email === `row29@${domain}.com`), 'rows after the bad ones are written');
  });

  it('records one contact.created event per contact it creates', async () => {
    const domain = unique('evts');
    const csv = ['first_name,email', ...Array.from({ length: 25 }, (_, i) => `E${i},e${i}@${domain}.com`)].join('\n');
    const job = await importFile(tenant.api, 'resource=contacts', csv);
    assert.equal(job.created, 25);
    const contacts = (await tenant.api.get(`/v1/contacts?q=${domain}&limit=100`)).body.data;
    assert.equal(contacts.length, 25);
    for (const contact of contacts) {
      const events = (await tenant.api.get(`/v1/events?record_id=${contact.id}`)).body.data;
      assert.deepEqual(
        events.map((e: any) => e.type),
        ['contact.created'],
      );
      assert.equal(events[0].data.object.email, contact.email);
      assert.equal(events[0].actor.key_id, tenant.keyId);
    }
  });
});

describe('companies in a batch written at once', () => {
  it('dedups by domain within the file and against existing companies, as a row-by-row import would', async () => {
    const tag = unique('cob');
    const existing = await createCompany(tenant.api, { name: `${tag} Existing`, domain: `old-${tag}.com` });
    const csv = [
      'name,domain,owner_id',
      `${tag} Alpha,alpha-${tag}.com,`,
      `${tag} Old again,https://www.old-${tag}.com/about,`,
      `${tag} Alpha again,ALPHA-${tag}.com,`,
      `${tag} Nodomain,,`,
      `${tag} Owned,owned-${tag}.com,usr_00000000000000000000000000`,
      `${tag} Beta,beta-${tag}.com,`,
    ].join('\n');
    const skipped = await importFile(tenant.api, 'resource=companies', csv);
    assert.deepEqual([skipped.rows_read, skipped.created, skipped.skipped, skipped.failed], [6, 3, 2, 1], JSON.stringify(skipped));
    const [alpha] = (await tenant.api.get(`/v1/companies?domain=alpha-${tag}.com`)).body.data;
    assert.equal(alpha.name, `${tag} Alpha`, 'the first row of a domain creates the company; the later one is its duplicate');
    const report = (await tenant.api.get(`/v1/imports/${skipped.id}/errors`)).text.trim().split(/\r?\n/);
    assert.equal(report.length, 2);
    assert.match(report[1] ?? '', /^5,.*owner_id/);

    const again = await importFile(tenant.api, 'resource=companies', csv);
    assert.equal(again.created, 0, `importing the file again creates nothing: ${JSON.stringify(again)}`);
    const companies = (await tenant.api.get(`/v1/companies?q=${tag}&limit=100`)).body.data;
    assert.equal(companies.length, 4, 'the one that was there and the three imported');

    const other = unique('cob');
    const failed = await importFile(tenant.api, 'resource=companies&on_duplicate=fail', csv.replaceAll(`alpha-${tag}`, `alpha-${other}`).replaceAll(`ALPHA-${tag}`, `ALPHA-${other}`));
    const [otherAlpha] = (await tenant.api.get(`/v1/companies?domain=alpha-${other}.com`)).body.data;
    const failures = (await tenant.api.get(`/v1/imports/${failed.id}/errors`)).text.trim().split(/\r?\n/).slice(1);
    assert.match(failures.find((line) => line.startsWith('2,')) ?? '', new RegExp(existing.id), 'a row duplicating an existing company names it');
    assert.match(failures.find((line) => line.startsWith('3,')) ?? '', new RegExp(otherAlpha.id), 'a row duplicating an earlier row names the company that row created');
  });

  it('records one company.created event per company and keeps the search index current', async () => {
    const tag = unique('coe');
    const csv = ['name,domain,phone', ...Array.from({ length: 25 }, (_, i) => `${tag} Co${i},co${i}-${tag}.com,+1 512 555 ${String(1000 + i)}`)].join('\n');
    const job = await importFile(tenant.api, 'resource=companies', csv);
    assert.equal(job.created, 25, JSON.stringify(job));
    const companies = (await tenant.api.get(`/v1/companies?q=${tag}&limit=100`)).body.data;
    assert.equal(companies.length, 25);
    for (const company of companies) {
      const events = (await tenant.api.get(`/v1/events?record_id=${company.id}`)).body.data;
      assert.deepEqual(
        events.map((e: any) => e.type),
        ['company.created'],
      );
      assert.equal(events[0].data.object.domain, company.domain);
      assert.equal(events[0].actor.key_id, tenant.keyId);
    }
    const found = (await tenant.api.get(`/v1/search?q=${tag}%20co7`)).body.data;
    assert.deepEqual(
      found.map((hit: any) => hit.id),
      [companies.find((c: any) => c.name === `${tag} Co7`).id],
    );
    const byPhone = (await tenant.api.get(`/v1/search/by-phone?phone=${encodeURIComponent('5125551007')}`)).body.data;
    assert.ok(
      byPhone.some((hit: any) => hit.id === companies.find((c: any) => c.name === `${tag} Co7`).id),
      JSON.stringify(byPhone),
    );
  });
});

describe('leads in a batch written at once', () => {
  it('dedups by email and by name within the file and against existing leads, and records one lead.created per lead', async () => {
    const tag = unique('ldb');
    const existing = (await tenant.api.post('/v1/leads', { first_name: 'Old', last_name: tag, email: `old@${tag}.com` })).body.data;
    const csv = [
      'first_name,last_name,company_name,email',
      `Ann,${tag},Acme,ann@${tag}.com`,
      `Ann,${tag},Acme,`,
      `Bea,${tag},Acme,`,
      `BEA,${tag}, acme ,`,
      `Again,${tag},,ANN@${tag}.com`,
      `Old,${tag},,old@${tag}.com`,
      `Cy,${tag},,cy@${tag}.com`,
    ].join('\n');
    const job = await importFile(tenant.api, 'resource=leads', csv);
    // Ann (row 1), Bea (row 3) and Cy are created; row 2 duplicates Ann by name (she has an email, it has none),
    // row 4 Bea by name; rows 5 and 6 are skipped by email (an earlier row's lead, the existing lead).
    assert.deepEqual([job.rows_read, job.created, job.skipped, job.failed], [7, 3, 2, 2], JSON.stringify(job));
    const leads = (await tenant.api.get(`/v1/leads?q=${tag}&limit=100`)).body.data;
    const ann = leads.find((l: any) => l.email === `ann@${tag}.com`);
    const bea = leads.find((l: any) => l.first_name === 'Bea');
    const report = (await tenant.api.get(`/v1/imports/${job.id}/errors`)).text.trim().split(/\r?\n/).slice(1);
    assert.match(report[0] ?? '', new RegExp(`^2,.*duplicate.*${ann.id}`));
    assert.match(report[1] ?? '', new RegExp(`^4,.*duplicate.*${bea.id}`));
    assert.equal(leads.length, 4, 'the existing lead and the three imported');
    for (const lead of leads.filter((l: any) => l.id !== existing.id)) {
      const events = (await tenant.api.get(`/v1/events?record_id=${lead.id}`)).body.data;
      assert.deepEqual(
        events.map((e: any) => e.type),
        ['lead.created'],
      );
    }
    const again = await importFile(tenant.api, 'resource=leads', csv);
    assert.equal(again.created, 0, JSON.stringify(again));
  });
});

describe('activities in a batch written at once', () => {
  /** A file of activities from `source`, linked to existing records, with a bad link and duplicates by source and external id. */
  const activityCsv = (source: string, contact: any, other: any, deal: any) =>
    [
      'type,subject,source,external_id,contact_id,deal_id',
      `call,Intro,${source},e1,${contact.id},${deal.id}`,
      `email,Follow-up,${source},e2,${other.id},`,
      `note,Ghost,${source},e3,con_00000000000000000000000000,`,
      `call,Intro again,${source},e1,${contact.id},`,
      `meeting,Old again,${source},old,,`,
      `sms,Reminder,${source},e6,${other.id},${deal.id}`,
      `note,Spaced,${source}, e2 ,,`,
    ].join('\n');

  it('links rows to existing records, rejects a bad link, dedups by source and external id within the file and against existing activities, and records one activity.created per activity', async () => {
    const source = unique('dialer-');
    const [contact, other, deal] = [await createContact(tenant.api), await createContact(tenant.api), await createDeal(tenant.api)];
    const existing = (await tenant.api.post('/v1/activities', { type: 'call', source, external_id: 'old' })).body.data;
    const csv = activityCsv(source, contact, other, deal);
    const job = await importFile(tenant.api, 'resource=activities', csv);
    // Rows 1, 2 and 6 are created; row 3 names no contact; rows 4 and 7 repeat rows 1 and 2 (7 with spaces), row 5 the existing activity.
    assert.deepEqual([job.rows_read, job.created, job.skipped, job.failed], [7, 3, 3, 1], JSON.stringify(job));
    const report = (await tenant.api.get(`/v1/imports/${job.id}/errors`)).text.trim().split(/\r?\n/).slice(1);
    assert.equal(report.length, 1, report.join('\n'));
    assert.match(report[0] ?? '', /^3,.*contact_id does not name a contact in this workspace/);

    const activities = (await tenant.api.get(`/v1/activities?source=${source}&limit=100`)).body.data;
    assert.equal(activities.length, 4, 'the existing activity and the three imported');
    const byExternalId = new Map<string, any>(activities.map((a: any) => [a.external_id, a]));
    assert.deepEqual([byExternalId.get('e1')?.subject, byExternalId.get('e1')?.contact_id, byExternalId.get('e1')?.deal_id], ['Intro', contact.id, deal.id], 'the first row of a key creates the activity');
    assert.deepEqual([byExternalId.get('e2')?.contact_id, byExternalId.get('e6')?.contact_id, byExternalId.get('e6')?.deal_id], [other.id, other.id, deal.id]);
    assert.equal(byExternalId.get('old')?.id, existing.id);
    for (const activity of activities.filter((a: any) => a.id !== existing.id)) {
      const events = (await tenant.api.get(`/v1/events?record_id=${activity.id}`)).body.data;
      assert.deepEqual(
        events.map((e: any) => e.type),
        ['activity.created'],
      );
      assert.equal(events[0].data.object.external_id, activity.external_id);
      assert.equal(events[0].actor.key_id, tenant.keyId);
    }

    const again = await importFile(tenant.api, 'resource=activities', csv);
    assert.deepEqual([again.created, again.failed], [0, 1], `importing the file again creates nothing: ${JSON.stringify(again)}`);
    assert.equal((await tenant.api.get(`/v1/activities?source=${source}&limit=100`)).body.data.length, 4);
  });

  it('on_duplicate: fail rejects a row naming the activity it duplicates, made by an earlier row or existing', async () => {
    const source = unique('dialer-');
    const [contact, other, deal] = [await createContact(tenant.api), await createContact(tenant.api), await createDeal(tenant.api)];
    const existing = (await tenant.api.post('/v1/activities', { type: 'call', source, external_id: 'old' })).body.data;
    const job = await importFile(tenant.api, 'resource=activities&on_duplicate=fail', activityCsv(source, contact, other, deal));
    assert.deepEqual([job.created, job.skipped, job.failed], [3, 0, 4], JSON.stringify(job));
    const activities = (await tenant.api.get(`/v1/activities?source=${source}&limit=100`)).body.data;
    const idOf = (externalId: string) => activities.find((a: any) => a.external_id === externalId)?.id;
    const report = (await tenant.api.get(`/v1/imports/${job.id}/errors`)).text.trim().split(/\r?\n/).slice(1);
    assert.deepEqual(
      report.map((line) => line.split(',')[0]),
      ['3', '4', '5', '7'],
    );
    assert.match(report[1] ?? '', new RegExp(`duplicate.*external_id.*${idOf('e1')}`), 'a row repeating an earlier row names the activity that row created');
    assert.match(report[2] ?? '', new RegExp(`duplicate.*external_id.*${existing.id}`), 'a row repeating an existing activity names it');
    assert.match(report[3] ?? '', new RegExp(`duplicate.*${idOf('e2')}`));
  });
});

describe('deals in a batch written at once', () => {
  it('places rows in the default pipeline\'s first stage or the stage named, links contacts and a company, rejects an unknown stage or company, and starts each deal\'s history with one deal.created', async () => {
    const tag = unique('Batch deal ');
    const [contact, other, company] = [await createContact(tenant.api), await createContact(tenant.api), await createCompany(tenant.api)];
    const pipelines = (await tenant.api.get('/v1/pipelines')).body.data;
    const stages = pipelines.find((p: any) => p.is_default).stages;
    const [first, second, won] = [stages[0], stages[1], stages.find((s: any) => s.type === 'won')];
    const renewals = (await tenant.api.post('/v1/pipelines', { name: unique('Renewals '), stages: [{ name: 'Due', probability: 30 }, { name: 'Renewed', probability: 100, type: 'won' }] })).body.data;
    const csv = [
      'name,stage_id,pipeline_id,company_id,contact_ids',
      `${tag} default,,,${company.id},${contact.id};${other.id}`,
      `${tag} second,${second.id},,,${other.id}`,
      `${tag} ghost stage,stg_00000000000000000000000000,,,`,
      `${tag} ghost company,,,com_00000000000000000000000000,${contact.id}`,
      `${tag} renewal,,${renewals.id},,`,
      `${tag} won,${won.id},,${company.id},`,
    ].join('\n');
    const job = await importFile(tenant.api, 'resource=deals', csv);
    assert.deepEqual([job.rows_read, job.created, job.failed], [6, 4, 2], JSON.stringify(job));
    const report = (await tenant.api.get(`/v1/imports/${job.id}/errors`)).text.trim().split(/\r?\n/).slice(1);
    assert.equal(report.length, 2, report.join('\n'));
    assert.match(report[0] ?? '', /^3,.*stage_id does not name a stage in this workspace/);
    assert.match(report[1] ?? '', /^4,.*company_id does not name a company in this workspace/);

    const deals = (await tenant.api.get(`/v1/deals?q=${encodeURIComponent(tag)}&limit=100`)).body.data;
    const byName = new Map<string, any>(deals.map((d: any) => [d.name.slice(tag.length + 1), d]));
    assert.deepEqual([...byName.keys()].sort(), ['default', 'renewal', 'second', 'won']);
    const placed = (name: string) => {
      const deal = byName.get(name);
      return [deal.pipeline_id, deal.stage_id, deal.status, deal.company_id, deal.contact_ids];
    };
    assert.deepEqual(placed('default'), [first.pipeline_id, first.id, 'open', company.id, [contact.id, other.id]]);
    assert.deepEqual(placed('second'), [second.pipeline_id, second.id, 'open', null, [other.id]]);
    assert.deepEqual(placed('renewal'), [renewals.id, renewals.stages[0].id, 'open', null, []]);
    assert.deepEqual(placed('won'), [won.pipeline_id, won.id, 'won', company.id, []]);
    assert.ok(byName.get('won').closed_at, 'a deal created in a won stage is closed');
    assert.equal(byName.get('second').probability, second.probability, "a deal shows its stage's probability");
    for (const deal of deals) {
      const history = (await tenant.api.get(`/v1/deals/${deal.id}/history`)).body.data;
      assert.deepEqual(
        history.map((h: any) => [h.from_stage_id, h.to_stage_id]),
        [[null, deal.stage_id]],
        'the stage a deal starts in is the first entry of its history',
      );
      const events = (await tenant.api.get(`/v1/events?record_id=${deal.id}`)).body.data;
      assert.deepEqual(
        events.map((e: any) => e.type),
        ['deal.created'],
      );
      assert.deepEqual([events[0].data.object.stage_id, events[0].data.object.contact_ids], [deal.stage_id, deal.contact_ids]);
    }

    const again = await importFile(tenant.api, 'resource=deals', csv);
    assert.deepEqual([again.created, again.failed], [0, 2], `importing the file again creates nothing: ${JSON.stringify(again)}`);
    assert.equal((await tenant.api.get(`/v1/deals?q=${encodeURIComponent(tag)}&limit=100`)).body.data.length, 4);
  });
});

describe('JSON Lines and other record types', () => {
  it('imports companies from JSON Lines, dedups by domain, and reports a line that is not JSON', async () => {
    const domain = `${unique('co')}.com`;
    const jsonl = [JSON.stringify({ name: 'Acme', domain }), 'not json', JSON.stringify({ name: 'Acme again', domain: `https://www.${domain}/` })].join('\n');
    const job = await importFile(tenant.api, 'resource=companies', jsonl, 'application/x-ndjson');
    assert.deepEqual([job.created, job.skipped, job.failed], [1, 1, 1], JSON.stringify(job));
    const report = (await tenant.api.get(`/v1/imports/${job.id}/errors`)).text.trim();
    assert.equal(JSON.parse(report)._row, 2);
  });

  it('imports deals and activities through their services (stage placement, links)', async () => {
    const name = unique('Deal ');
    const deals = await importFile(tenant.api, 'resource=deals', `name,value.amount,value.currency\n${name},1200,EUR\n`);
    assert.equal(deals.created, 1, JSON.stringify(deals));
    const deal = (await tenant.api.get(`/v1/deals?q=${encodeURIComponent(name)}`)).body.data[0];
    assert.ok(deal.stage_id);
    const activities = await importFile(tenant.api, 'resource=activities', `type,subject,source,external_id,deal_id\ncall,Intro,dialer,${unique('x')},${deal.id}\n`);
    assert.equal(activities.created, 1, JSON.stringify(activities));
  });
});

describe('import access', () => {
  it('needs the write grant of the record type, and shows a job only in its workspace', async () => {
    const reader = await keyFor(server, tenant, { scope: 'read_only' });
    const refused = await reader.api.request('POST', '/v1/imports?resource=contacts', 'first_name\nA\n', { 'content-type': 'text/csv' });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.details.required, 'contacts:write');
    const job = await importFile(tenant.api, 'resource=contacts', `first_name\n${unique('Iso')}\n`);
    const other = await createTenant(server);
    assert.equal((await other.api.get(`/v1/imports/${job.id}`)).status, 404);
    assert.equal((await other.api.get(`/v1/imports/${job.id}/errors`)).status, 404);
  });
});
