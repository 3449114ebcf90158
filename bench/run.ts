/**
 * Trellis benchmark: the full production stack (auth, rate limit, logging,
 * validation, envelope) against two baselines on the same machine and the same
 * seeded SQLite file: bare Fastify + better-sqlite3 running the same queries,
 * and bare Fastify answering a constant. See bench/README.md.
 *
 *   npm run bench -- --contacts 100000 --deals 100000 --duration 10
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseOptions } from './args.js';
// @ts-expect-error: a plain .mjs script without type declarations (shared with bin/trellis.mjs)
import { ensureBuild } from '../scripts/ensure-build.mjs';
import { cleanupNow, installExitHandlers, memoryOf, onCleanup, startServer, tail, TRELLIS_SERVER, type ServerProcess } from './processes.js';
import { checksTable, checkTargets, fmt, resultsTable, type BareName, type Check, type Row, type ServerName } from './report.js';
import { createdAtCursor, drain, measure, probe, scenarios, warmUp, type Measurement, type Scenario } from './scenarios.js';
import { liftKeyBudget, seedContacts, seedDeals, type Seeded, type SeededDeals } from './seed.js';
import { connectTo, liftKeyBudgetPostgres, seedContactsPostgres, seedDealsPostgres } from './seed-postgres.js';
import { REPORT_SCENARIOS, reportScenarios, seedReportData, type SeededReports } from './reports.js';
import { searchScenario } from './search.js';
import { benchWebhooks, type WebhookResults } from './webhooks.js';
import { benchImports, importTable } from './imports.js';
import { benchBrowser, browserAvailable, browserTable } from './browser.js';
import { execFileSync } from 'node:child_process';
import { benchMixed, mixedChecks, mixedRequests, mixedTable, type MixedResults } from './mixed.js';
import { findProfile, layerTable, summarizeProfile, topTable, type ProfileSummary } from './profile.js';

const options = parseOptions(process.argv.slice(2));
installExitHandlers();

const log = (line: string) => process.stdout.write(`${line}\n`);
/** Scenarios the issues set no numeric target for. */
const UNTARGETED: readonly string[] = ['list_deals_by_stage', 'create_deal', 'move_deal'];
/** --profile's sampling interval: finer than V8's default 1 ms, as one request takes well under that. */
const PROFILE_INTERVAL_US = 250;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BENCH_OWNER = { email: 'bench-owner@example.com', password: 'bench owner password' };
const randomAlnum = (length: number) => Array.from(randomBytes(length), (b) => ALNUM[b % ALNUM.length]).join('');

async function main(): Promise<void> {
  // Trellis runs built, as `npm start` runs it: build first when dist/ is missing or older than src/.
  ensureBuild({ quiet: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-bench-'));
  if (options.keep) log(`Keeping ${dir}`);
  else onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  const dbFile = path.join(dir, 'trellis.db');
  const apiKey = `trl_live_${randomAlnum(40)}`;
  const headers = { authorization: `Bearer ${apiKey}` };
  if (options.keep) log(`Database ${dbFile}, API key ${apiKey}`);

  const cpus = os.cpus();
  const startLoad = os.loadavg()[0] ?? 0;
  log(`Trellis benchmark: ${options.contacts.toLocaleString('en-US')} contacts, ${options.deals.toLocaleString('en-US')} deals, ${options.duration} s per run (after warm-ups of ${options.warmup} s until the pace settles, at most ${options.warmupRuns}), ${options.connections} connections`);
  log(`Node ${process.version}, ${cpus.length} CPU (${cpus[0]?.model ?? 'unknown'}), ${os.platform()} ${os.release()}`);
  log(`Load average now: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  if (cpus.length < 4) log('Note: fewer than 4 CPUs; the load generator and the server under test compete for them.');

  // The import and export scenarios need no seeded data: with only them, nothing else runs.
  const transfers = ['import', 'export'];
  if (options.only?.every((name) => transfers.includes(name))) {
    const results = await benchImports(dir, apiKey, { rows: options.importRows, resource: options.importResource, postgres: options.postgres, logLevel: options.logLevel, cpuProf: options.cpuProf }, log);
    log(`\nImport and export of ${options.importRows.toLocaleString('en-US')} ${options.importResource} (the targets, at 1,000,000 rows: import >= 30,000 rows/s on SQLite and >= 60 % of the raw insert; export >= 100,000 rows/s; RSS < 300 MB):`);
    log(importTable(results));
    if (options.json) fs.writeFileSync(path.resolve(options.json), `${JSON.stringify({ date: new Date().toISOString(), options, loadAverage: os.loadavg(), imports: results }, null, 2)}\n`);
    return;
  }

  // On PostgreSQL (--database), a schema of the run's own, dropped when it ends.
  const postgres = options.postgres;
  const schema = `bench_${Date.now()}`;
  if (postgres) {
    onCleanup(() => {
      // Cleanups run synchronously at exit: psql drops the schema (the pg client is asynchronous).
      execFileSync('psql', [postgres, '-q', '-c', `drop schema if exists "${schema}" cascade`], { stdio: 'ignore' });
    });
  }
  const bare: BareName = postgres ? 'Fastify+pg' : 'Fastify+SQLite';
  const databaseEnv: Record<string, string> = postgres ? { DATABASE_URL: postgres, DATABASE_SCHEMA: schema } : { DATABASE_URL: dbFile };
  const trellisEnv = {
    ...databaseEnv,
    TRELLIS_BOOTSTRAP_KEY: apiKey,
    // The owner signs in to the web app for the browser scenario.
    TRELLIS_BOOTSTRAP_EMAIL: BENCH_OWNER.email,
    TRELLIS_BOOTSTRAP_PASSWORD: BENCH_OWNER.password,
    // The highest value the config accepts; the key's own budget is lifted further below.
    RATE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: options.logLevel,
  };
  const startTrellis = (logName: string) =>
    startServer({ name: 'Trellis', script: TRELLIS_SERVER, env: trellisEnv, logFile: path.join(dir, logName), readyPath: '/readyz' });

  // 1. First start: migrations and the bootstrap workspace, owner and key. Then stop, so seeding has the file alone.
  log('\nBootstrapping the database (first start of Trellis)…');
  const first = await startTrellis('trellis-bootstrap.log');
  await first.stop();

  // 2. Seed straight into the database.
  log(`Seeding ${options.contacts.toLocaleString('en-US')} contacts${postgres ? ` into PostgreSQL (schema ${schema})` : ''}…`);
  let seeded: Seeded;
  let seededDeals: SeededDeals;
  let size: number;
  if (postgres) {
    seeded = await seedContactsPostgres(postgres, schema, options.contacts, log);
    await liftKeyBudgetPostgres(postgres, schema, 1_000_000_000);
  } else {
    seeded = seedContacts(dbFile, options.contacts, log);
    liftKeyBudget(dbFile, 1_000_000_000);
  }
  log(`Seeded ${seeded.contacts.toLocaleString('en-US')} contacts in ${(seeded.ms / 1000).toFixed(1)} s`);
  log(`Seeding ${options.deals.toLocaleString('en-US')} deals…`);
  if (postgres) {
    seededDeals = await seedDealsPostgres(postgres, schema, options.deals, log);
    size = await schemaSize(postgres, schema);
  } else {
    seededDeals = seedDeals(dbFile, options.deals, log);
    size = fs.statSync(dbFile).size;
  }
  log(
    `Seeded ${seededDeals.deals.toLocaleString('en-US')} deals in ${(seededDeals.ms / 1000).toFixed(1)} s (${seededDeals.stages
      .filter((st) => st.deals > 0)
      .map((st) => `${st.name} ${st.deals.toLocaleString('en-US')}`)
      .join(', ')}; database ${(size / 1024 / 1024).toFixed(0)} MB)`,
  );
  // The report scenarios' data (owners, currencies, closed deals with history, activities, tasks), only when they run.
  // Its seeder writes SQLite: on PostgreSQL the reports, the mixed load and the webhook drain (which runs on a SQLite file of its own) are left out.
  let seededReports: SeededReports | undefined;
  if (postgres) log('On PostgreSQL the report scenarios, the mixed load and the webhook drain do not run (their seeders and servers are SQLite\'s).');
  else if (!options.only || options.only.some((name) => name === 'mixed' || (REPORT_SCENARIOS as readonly string[]).includes(name))) {
    log('Seeding report data (owners, closed deals with history, activities, tasks)…');
    seededReports = seedReportData(dbFile, seededDeals);
    log(
      `Seeded ${seededReports.owners} owners, ${seededReports.closedDeals.toLocaleString('en-US')} won/lost deals (${seededReports.historyRows.toLocaleString('en-US')} history rows), ` +
        `${seededReports.activities.toLocaleString('en-US')} activities, ${seededReports.tasks.toLocaleString('en-US')} tasks in ${(seededReports.ms / 1000).toFixed(1)} s (database now ${(fs.statSync(dbFile).size / 1024 / 1024).toFixed(0)} MB)`,
    );
  }

  // The web app in Chromium (--only browser): first render of the contacts table and the board, search as you type.
  if (options.only?.includes('browser')) {
    const missing = browserAvailable();
    if (missing) log(`Browser scenario skipped: ${missing}`);
    else {
      execFileSync(process.execPath, ['scripts/ensure-build.mjs', '--web'], { stdio: ['ignore', 'ignore', 'inherit'] });
      const web = await startTrellis('trellis-browser.log');
      const runs = options.rounds > 1 ? options.rounds : 5;
      // A different seeded contact's email per search run: no run is answered from the previous one's results.
      const terms = seeded.sample.filter((_, i) => i % Math.max(1, Math.floor(seeded.sample.length / (runs + 1))) === 0).map((s) => s.email.split('@')[0] ?? 'a');
      log(`Browser scenario: Chromium, ${runs} runs after a warm-up; search types a contact's email, e.g. "${terms[0]}"`);
      const figures = await benchBrowser(web.url, BENCH_OWNER.email, BENCH_OWNER.password, terms, runs);
      await web.stop();
      log(`\nThe web app over ${options.contacts.toLocaleString('en-US')} contacts and ${options.deals.toLocaleString('en-US')} deals (targets at 1,000,000 contacts and 100,000 deals):`);
      log(browserTable(figures));
      if (options.json) fs.writeFileSync(path.resolve(options.json), `${JSON.stringify({ date: new Date().toISOString(), options, loadAverage: os.loadavg(), browser: figures }, null, 2)}\n`);
    }
    if (options.only.every((name) => name === 'browser')) return;
  }

  // 3. The three servers, each a process of its own.
  log('Starting Trellis and the two baselines…');
  const servers: Record<ServerName, ServerProcess> = {
    trellis: await startTrellis('trellis.log'),
    bare: postgres
      ? await startServer({
          name: 'baseline-postgres',
          script: 'bench/baseline-postgres.ts',
          // The same pool size as Trellis's (DATABASE_POOL_SIZE, its default unless set in the environment).
          env: { ...databaseEnv, DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '10' },
          logFile: path.join(dir, 'baseline-postgres.log'),
          readyPath: '/readyz',
        })
      : await startServer({ name: 'baseline-sqlite', script: 'bench/baseline-sqlite.ts', env: { DATABASE_FILE: dbFile }, logFile: path.join(dir, 'baseline-sqlite.log'), readyPath: '/readyz' }),
    fastify: await startServer({ name: 'baseline-fastify', script: 'bench/baseline-fastify.ts', env: {}, logFile: path.join(dir, 'baseline-fastify.log'), readyPath: '/readyz' }),
  };

  // The deep-page cursor is built the way the server builds it: check that against a real next_cursor.
  const page1 = (await (await fetch(`${servers.trellis.url}/v1/contacts?limit=25`, { headers })).json()) as { meta?: { next_cursor?: string; total?: number } };
  const expected = createdAtCursor(seeded.firstPageLast);
  if (page1.meta?.next_cursor !== expected) {
    throw new Error(`the cursor built here (${expected}) differs from the server's next_cursor (${String(page1.meta?.next_cursor)}); update bench/scenarios.ts createdAtCursor`);
  }
  if (page1.meta.total !== seeded.contacts) throw new Error(`Trellis counts ${page1.meta.total} contacts, expected ${seeded.contacts}`);
  // Both servers must see the seeded deals where they were put.
  const { listStage } = seededDeals;
  for (const name of ['trellis', 'bare'] as const) {
    const deals = (await (await fetch(`${servers[name].url}/v1/deals?stage_id=${listStage.id}&limit=25`, { headers })).json()) as { data?: { stage_id?: string }[]; meta?: { total?: number; total_exact?: boolean } };
    // Beyond 10,000 matches Trellis answers an estimate flagged total_exact: false (docs/api-guide.md); only an exact total can be checked.
    const totalWrong = deals.meta?.total_exact === false ? false : deals.meta?.total !== listStage.deals;
    if (totalWrong || deals.data?.length !== 25 || deals.data.some((d) => d.stage_id !== listStage.id)) {
      throw new Error(`${servers[name].name} lists ${String(deals.meta?.total)} deals in stage ${listStage.name} (${deals.data?.length ?? 0} on the page), expected ${listStage.deals}`);
    }
  }

  const all = [
    ...scenarios(seeded, seededDeals, { connections: options.connections }),
    searchScenario(seeded),
    ...(seededReports ? reportScenarios(seededDeals, seededReports) : []),
  ];
  const selected = options.only ? all.filter((s) => options.only?.includes(s.name)) : all;
  const withWebhooks = !postgres && (!options.only || options.only.includes('webhooks'));
  const withMixed = !postgres && (!options.only || options.only.includes('mixed'));
  if (selected.length === 0 && !withWebhooks && !withMixed && !options.profile) {
    throw new Error(`--only matches no scenario (${[...all.map((s) => s.name), 'webhooks', 'mixed'].join(', ')})`);
  }

  // 4. Each scenario against each server in turn; POST last, so the reads all see the same table
  //    (list deals by stage before create deal, which adds to that stage).
  //    With --rounds, the whole sequence repeats and each cell keeps its best run.
  const rows: Row[] = selected.map((scenario) => ({ scenario, results: {} }));
  const loads: number[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    if (options.rounds > 1) log(`Round ${round} of ${options.rounds}`);
    for (const row of rows) {
      const { scenario } = row;
      for (const name of scenario.trellisOnly ? (['trellis'] as const) : (['trellis', 'bare', 'fastify'] as const)) {
        const server = servers[name];
        if (server.child.exitCode !== null || server.child.signalCode !== null) {
          throw new Error(`${server.name} exited (${server.child.exitCode ?? server.child.signalCode}). Log:\n${tail(server.logFile)}`);
        }
        const connections = scenario.connections ?? options.connections;
        const probeMs = await probe(server.url, scenario, headers);
        // A request that takes a quarter of a second is all SQLite: nothing for a warm-up to warm,
        // and its leftover backlog would take minutes to drain.
        const pace =
          options.warmup > 0 && probeMs < 250
            ? await warmUp(async (i) => {
                const w = await measure(server.url, scenario, { tag: `${name}w${round}.${i}`, duration: options.warmup, connections, headers });
                await drain(server.url);
                return w;
              }, options.warmupRuns)
            : [];
        const m: Measurement = await measure(server.url, scenario, { tag: `${name}r${round}`, duration: options.duration, connections, headers });
        await drain(server.url);
        const load = os.loadavg()[0] ?? 0;
        loads.push(load);
        const best = row.results[name];
        if (!best || m.rps > best.rps) row.results[name] = m;
        const found = scenario.problems?.(`${name}r${round}`);
        const problems =
          (m.non2xx + m.errors > 0 ? `  (!) non-2xx ${m.non2xx}, errors ${m.errors}, statuses ${JSON.stringify(m.statusCodes)}` : '') + (found ? `  (!) ${found}` : '');
        log(`  ${scenario.name.padEnd(19)} ${name.padEnd(8)} ${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50.toFixed(1)} ms  p99 ${m.p99.toFixed(1)} ms  (load avg ${load.toFixed(1)})${warmedText(pace)}${problems}`);
      }
    }
  }

  // The mixed load: the fast class alone, then beside the slow class, on Trellis (best of --rounds, by the fast class's req/s beside the slow one).
  let mixed: MixedResults | undefined;
  if (withMixed && seededReports) {
    const requests = mixedRequests(seeded, seededDeals, seededReports);
    for (let round = 1; round <= options.rounds; round++) {
      const r = await benchMixed(servers.trellis.url, requests, { connections: options.connections, duration: options.duration, warmup: options.warmup, warmupRuns: options.warmupRuns, headers, round });
      const load = os.loadavg()[0] ?? 0;
      loads.push(load);
      log(
        `  mixed               fast alone ${r.fastAlone.rps.toFixed(0)} req/s p99 ${r.fastAlone.p99.toFixed(1)} ms; beside slow ${r.fastMixed.rps.toFixed(0)} req/s p99 ${r.fastMixed.p99.toFixed(1)} ms; ` +
          `slow ${r.slow.rps.toFixed(1)} req/s p99 ${r.slow.p99.toFixed(0)} ms  (load avg ${load.toFixed(1)})`,
      );
      if (!mixed || r.fastMixed.rps > mixed.fastMixed.rps) mixed = r;
    }
  }

  for (const server of Object.values(servers)) {
    if (server.child.exitCode !== null) log(`(!) ${server.name} exited during the run (${server.child.exitCode}); see ${server.logFile}`);
  }
  // What the server holds after every run, and the most it held.
  const trellisMemory = memoryOf(servers.trellis.child.pid);
  await Promise.all(Object.values(servers).map((s) => s.stop()));

  // Cold start: a new process on the migrated, seeded database, from spawn to its first answer (readiness asked every 5 ms).
  const coldFrom = performance.now();
  const cold = await startServer({ name: 'Trellis (cold start)', script: TRELLIS_SERVER, env: trellisEnv, logFile: path.join(dir, 'trellis-cold.log'), readyPath: '/readyz', pollMs: 5 });
  const coldStartMs = performance.now() - coldFrom;
  await cold.stop();
  log(`  cold start          ${coldStartMs.toFixed(0)} ms from spawn to the first answered request`);

  // --profile: one more run (get_by_id unless --profile-scenario), on a Trellis of its own under `node --cpu-prof`, so the table's figures stay unprofiled.
  let profiled: { summary: ProfileSummary; run: Measurement; scenario: Scenario } | undefined;
  if (options.profile) {
    const scenario = all.find((s) => s.name === options.profileScenario);
    if (!scenario) throw new Error(`--profile-scenario: no request scenario "${options.profileScenario}" (one of ${all.map((s) => s.name).join(', ')})`);
    const profileDir = path.join(dir, 'profile');
    log(`Profiling Trellis during a ${scenario.name} run (node --cpu-prof, a sample every ${PROFILE_INTERVAL_US} µs)…`);
    const server = await startServer({
      name: 'Trellis (profiled)',
      script: TRELLIS_SERVER,
      env: trellisEnv,
      logFile: path.join(dir, 'trellis-profile.log'),
      readyPath: '/readyz',
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-interval=${PROFILE_INTERVAL_US}`],
    });
    await probe(server.url, scenario, headers).catch((error: unknown) => {
      throw new Error(`the profiled server: ${error instanceof Error ? error.message : String(error)}\nIts log:\n${tail(server.logFile)}`);
    });
    // Warmed until its pace settles, so the profile shows the steady state, not V8's interpreter.
    const pace =
      options.warmup > 0
        ? await warmUp(async (i) => {
            const w = await measure(server.url, scenario, { tag: `profilew${i}`, duration: options.warmup, connections: options.connections, headers });
            await drain(server.url);
            return w;
          }, options.warmupRuns)
        : [];
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const run = await measure(server.url, scenario, { tag: 'profile', duration: options.duration, connections: options.connections, headers });
    const toUs = Number(process.hrtime.bigint() / 1000n);
    const pid = server.child.pid ?? 0;
    // SIGTERM: Trellis closes gracefully and exits, and V8 writes the profile on the way out.
    await server.stop();
    if (server.child.exitCode !== 0) log(`(!) the profiled server exited with ${server.child.exitCode ?? server.child.signalCode}: the profile may be missing`);
    const summary = summarizeProfile(findProfile(profileDir, pid), { fromUs, toUs }, run.total);
    profiled = { summary, run, scenario };
    log(
      `  ${scenario.name.padEnd(19)} profiled ${run.rps.toFixed(0).padStart(7)} req/s  p50 ${run.p50.toFixed(1)} ms  p99 ${run.p99.toFixed(1)} ms  (${summary.samples.toLocaleString('en-US')} samples)${warmedText(pace)}`,
    );
    if (options.keep) log(`  The profile: ${summary.file} (open it in Chrome DevTools, Performance tab, or in VS Code)`);
  }

  let webhooks: WebhookResults | undefined;
  if (withWebhooks) {
    webhooks = await benchWebhooks(dir, apiKey, { backlog: options.webhookBacklog, steadyRate: 100, steadySeconds: Math.max(5, options.duration), logLevel: options.logLevel }, log);
  }

  // 5. Report.
  const maxLoad = Math.max(0, ...loads);
  log(`\nResults: ${options.contacts.toLocaleString('en-US')} contacts, ${options.deals.toLocaleString('en-US')} deals, ${options.connections} connections, ${options.duration} s per run${options.rounds > 1 ? `, best of ${options.rounds}` : ''}, Trellis LOG_LEVEL=${options.logLevel}`);
  if (maxLoad > cpus.length + 1) log(`(!) The 1-minute load average reached ${maxLoad.toFixed(1)} on ${cpus.length} CPUs: other processes were competing, the numbers are noisy.`);
  if (rows.length > 0) log(resultsTable(rows, bare));
  if (webhooks) {
    log(
      `\nWebhooks to a local receiver: a backlog of ${webhooks.backlog.toLocaleString('en-US')} drained at ${webhooks.deliveriesPerSecond.toFixed(0)} deliveries/s; ` +
        `at ${webhooks.steadyRatePerSecond} writes/s, event commit to receiver p50 ${webhooks.latencyP50Ms.toFixed(0)} ms, p99 ${webhooks.latencyP99Ms.toFixed(0)} ms (${webhooks.steadyEvents} events).`,
    );
  }
  for (const { scenario } of rows) {
    const line = scenario.summary?.();
    if (line) log(line);
  }
  if (mixed) {
    log(`\nMixed load on Trellis: ${mixed.fastConnections} fast connections beside ${mixed.slowConnections} slow ones, ${options.duration} s (the fast class alone first, then both together):`);
    log(mixedTable(mixed, options.duration));
  }
  if (profiled) log(profileReport(profiled.summary, profiled.run, profiled.scenario, rows.find((r) => r.scenario.name === profiled.scenario.name)?.results, bare));
  const processChecks: Check[] = [{ target: 'Cold start to the first answered request <= 1 s (database migrated)', actual: `${fmt(coldStartMs)} ms`, pass: coldStartMs <= 1000 }];
  if (webhooks) processChecks.push({ target: 'Webhook backlog drained at >= 1,000 deliveries/s', actual: `${fmt(webhooks.deliveriesPerSecond)}/s`, pass: webhooks.deliveriesPerSecond >= 1000 });
  if (trellisMemory) processChecks.push({ target: `Trellis RSS after the runs <= 200 MB${postgres ? ' (the target is SQLite\'s)' : ''}`, actual: `${fmt(trellisMemory.rssMb)} MB (peak ${fmt(trellisMemory.peakMb)} MB)`, pass: trellisMemory.rssMb <= 200 });
  const checks = [...checkTargets(rows, bare), ...(mixed ? mixedChecks(mixed) : []), ...processChecks];
  if (checks.length > 0) {
    log(`\nTargets (from the performance issue; they apply at the largest size, 1,000,000 contacts${options.contacts < 1_000_000 ? ' — this run is smaller' : ''}):`);
    log(checksTable(checks));
    log('A MISS is reported, never fatal.');
  }
  const untargeted = rows.filter((r) => UNTARGETED.includes(r.scenario.name)).map((r) => r.scenario.name);
  if (untargeted.length > 0) log(`\n${untargeted.join(', ')}: the pipeline issue sets no numeric target; their ratios are for information.`);

  if (options.json) {
    const out = {
      date: new Date().toISOString(),
      options,
      trellisMemory,
      coldStartMs,
      loadAverage: { atStart: startLoad, max: maxLoad },
      machine: { node: process.version, cpus: cpus.length, cpuModel: cpus[0]?.model, platform: `${os.platform()} ${os.release()}`, memoryGb: Math.round(os.totalmem() / 2 ** 30) },
      seeding: {
        contacts: seeded.contacts,
        seconds: seeded.ms / 1000,
        deals: seededDeals.deals,
        dealSeconds: seededDeals.ms / 1000,
        dealsByStage: Object.fromEntries(seededDeals.stages.map((st) => [st.name, st.deals])),
        databaseBytes: size,
      },
      results: rows.map((r) => ({ scenario: r.scenario.name, label: r.scenario.label, ...r.results })),
      webhooks,
      mixed,
      profile: profiled && {
        run: profiled.run,
        requests: profiled.summary.requests,
        samples: profiled.summary.samples,
        windowMs: profiled.summary.windowMs,
        wholeProfile: profiled.summary.wholeProfile,
        busyUsPerRequest: profiled.summary.busyUsPerRequest,
        layers: profiled.summary.layers,
        top: profiled.summary.top,
        wallUsPerRequest: wallUs(rows.find((r) => r.scenario.name === 'get_by_id')?.results, profiled.run),
      },
      checks,
    };
    fs.writeFileSync(path.resolve(options.json), `${JSON.stringify(out, null, 2)}\n`);
    log(`\nWrote ${path.resolve(options.json)}`);
  }
}

/** The bytes the schema's tables and indexes take on disk. */
async function schemaSize(url: string, schema: string): Promise<number> {
  const client = await connectTo(url, schema);
  try {
    const { rows } = await client.query<{ bytes: string }>(
      "select coalesce(sum(pg_total_relation_size(c.oid)), 0) as bytes from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind = 'r'",
      [schema],
    );
    return Number(rows[0]?.bytes ?? 0);
  } finally {
    await client.end();
  }
}

/** The warm-up runs' req/s, when there was more than one (the pace still rising). */
const warmedText = (pace: number[]) => (pace.length > 1 ? `  (warm-up ${pace.map((r) => r.toFixed(0)).join(' → ')} req/s)` : '');

/** Microseconds between two answers at a server's rate in a run: the wall time per request, 1e6 / req/s (undefined without that run). */
function wallUs(results: Row['results'] | undefined, profiledRun: Measurement) {
  const of = (m: Measurement | undefined) => (m && m.rps > 0 ? 1e6 / m.rps : undefined);
  return { trellisProfiled: of(profiledRun), trellis: of(results?.trellis), bare: of(results?.bare), bareFastify: of(results?.fastify) };
}

function profileReport(summary: ProfileSummary, run: Measurement, scenario: Scenario, results: Row['results'] | undefined, bare: BareName): string {
  const wall = wallUs(results, run);
  const us = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(n < 100 ? 1 : 0)} µs`);
  const lines = [
    `\nWhere a request's time goes in Trellis (${scenario.label}): CPU profile of a ${scenario.name} run of its own (${run.rps.toFixed(0)} req/s, p99 ${run.p99.toFixed(1)} ms, ` +
      `${summary.requests.toLocaleString('en-US')} requests, ${summary.samples.toLocaleString('en-US')} samples over ${(summary.windowMs / 1000).toFixed(1)} s${summary.wholeProfile ? '; (!) the run could not be found in the profile\'s clock, so all of it, start-up included, is counted' : ''}).`,
    'Self time per request answered, by layer (a function\'s own time, not what it calls; native calls count for the layer that made them):',
    layerTable(summary),
    `\nTop ${summary.top.length} functions by self time:`,
    topTable(summary),
    `\nWall time per request at each server's rate (1e6 / req/s; one thread serves, so at saturation this is its time per request): ` +
      `Trellis ${us(wall.trellis)} (profiled ${us(wall.trellisProfiled)}), bare ${bare} ${us(wall.bare)}, bare Fastify ${us(wall.bareFastify)}.`,
  ];
  if (wall.trellisProfiled !== undefined && wall.bare !== undefined) {
    // Against the profiled run, the one the table above describes (the profiler costs it a few per cent).
    lines.push(
      `Left above the bare ${bare} server: ${us(wall.trellisProfiled - wall.bare)} per request in the profiled run` +
        (wall.trellis !== undefined ? `, ${us(wall.trellis - wall.bare)} in the unprofiled one` : '') +
        '; the table says which layers it is in.',
    );
  } else {
    lines.push(`(Run ${scenario.name} on all three servers, i.e. include it in --only, for the baselines' figures.)`);
  }
  return lines.join('\n');
}

main().then(
  () => {
    cleanupNow();
    process.exit(0);
  },
  (error: unknown) => {
    const cause = error instanceof Error && error.cause !== undefined ? `\nCaused by: ${error.cause instanceof Error ? (error.cause.stack ?? error.cause.message) : String(error.cause)}` : '';
    process.stderr.write(`Benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}${cause}\n`);
    cleanupNow();
    process.exit(1);
  },
);
