/** Command-line options of the benchmark (`npm run bench -- --contacts 1000000`). */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Contacts seeded into the workspace before the load runs. */
  contacts: number;
  /** Deals seeded into the workspace's default pipeline before the load runs. */
  deals: number;
  /** Measured seconds per scenario and server. */
  duration: number;
  /** Seconds of each unmeasured run before a measured one (JIT, page cache). */
  warmup: number;
  /** At most this many warm-up runs: they repeat until two in a row are within 10 % of each other. */
  warmupRuns: number;
  connections: number;
  /** Where to write the results as JSON, if anywhere. */
  json: string | undefined;
  /** Only these scenarios (comma-separated names), or all. */
  only: string[] | undefined;
  /** Keep the temporary directory (database, server logs) instead of deleting it. */
  keep: boolean;
  /** Rounds over all scenarios and servers; each cell keeps its best run (background load only slows runs down). */
  rounds: number;
  /** Trellis's LOG_LEVEL: info as in production; silent to see what logging costs. */
  logLevel: string;
  /** Events written with the worker off, then drained, for the webhook throughput. */
  webhookBacklog: number;
  /** Rows of the import and export scenarios. */
  importRows: number;
  /**
   * A PostgreSQL URL: the request scenarios run on it (in a schema of their own, dropped after)
   * beside a bare Fastify + pg server, and the import/export scenarios run on it as well as on SQLite.
   * Undefined: everything on a SQLite file.
   */
  postgres: string | undefined;
  /** Profile Trellis (node --cpu-prof) during an extra run of `profileScenario` and print where the time goes. */
  profile: boolean;
  /** The request scenario --profile runs (get_by_id unless asked). */
  profileScenario: string;
  /** What the import and export scenarios import and export. */
  importResource: 'contacts' | 'companies';
  /** Where the import/export server writes a V8 CPU profile (`node --cpu-prof`), if anywhere. */
  cpuProf: string | undefined;
}

const USAGE = `Usage: npm run bench -- [--contacts N] [--deals N] [--duration S] [--warmup S] [--connections C] [--json FILE] [--only a,b] [--keep]

  --contacts N      contacts to seed (default 100000)
  --deals N         deals to seed, spread over the default pipeline's open stages (default 100000)
  --duration S      measured seconds per scenario and server (default 10)
  --warmup S        seconds of each unmeasured warm-up run before a measured run (default 2);
                    warm-up runs repeat until two in a row are within 10 % (0: no warm-up)
  --warmup-runs N   at most N warm-up runs (default 6; 1 = one fixed warm-up)
  --connections C   concurrent HTTP connections (default 50)
  --json FILE       also write the results to FILE as JSON
  --only LIST       run only these scenarios: get_by_id,list_first,list_deep,filter_email,create,
                    list_deals_by_stage,create_deal,move_deal,webhooks,
                    report_pipeline,report_sales,report_conversion,report_forecast,search,import,export,
                    browser (the web app in Chromium: first render and search as you type),
                    mixed (fast requests alone, then beside reports and broad searches)
  --profile         profile Trellis (node --cpu-prof) during an extra get_by_id run and print
                    its self time per request by layer (Fastify, auth, database, logging, …)
  --profile-scenario S  the scenario --profile runs (default get_by_id; any request scenario,
                    e.g. list_first)
  --webhook-backlog N  events queued before the webhook drain is timed (default 5000)
  --import-rows N   rows of the import and export scenarios (--only import,export; default 100000)
  --import-resource R  contacts (default) or companies: what the import and export scenarios move
  --database URL    run on PostgreSQL (postgres://…): the request scenarios, in a schema of their own
                    (dropped after), beside a bare Fastify + pg server with a pool of Trellis's size;
                    the import and export scenarios on it as well as on SQLite. Default: SQLite
  --cpu-prof DIR    the import/export server writes a CPU profile (.cpuprofile) to DIR when it stops
  --rounds R        repeat every run R times, keep the best of each (default 1)
  --log-level L     Trellis LOG_LEVEL (default info, as in production; silent shows the logging cost)
  --keep            keep the temporary directory (database and server logs)
`;

/** --database: a postgres:// URL, or sqlite (the default). */
function postgresUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === 'sqlite') return undefined;
  if (/^postgres(ql)?:\/\//.test(raw)) return raw;
  process.stderr.write(`--database must be a postgres:// URL or sqlite (got "${raw}")\n\n${USAGE}`);
  process.exit(2);
}

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      contacts: { type: 'string', default: '100000' },
      deals: { type: 'string', default: '100000' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      'warmup-runs': { type: 'string', default: '6' },
      connections: { type: 'string', default: '50' },
      json: { type: 'string' },
      only: { type: 'string' },
      keep: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      'profile-scenario': { type: 'string', default: 'get_by_id' },
      rounds: { type: 'string', default: '1' },
      'log-level': { type: 'string', default: 'info' },
      'webhook-backlog': { type: 'string', default: '5000' },
      'import-rows': { type: 'string', default: '100000' },
      'import-resource': { type: 'string', default: 'contacts' },
      database: { type: 'string' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const whole = (name: string, raw: string, min: number): number => {
    const value = Number(raw.replace(/_/g, ''));
    if (!Number.isInteger(value) || value < min) {
      process.stderr.write(`--${name} must be a whole number >= ${min} (got "${raw}")\n\n${USAGE}`);
      process.exit(2);
    }
    return value;
  };
  const oneOf = <T extends string>(name: string, raw: string, allowed: readonly T[]): T => {
    if (!(allowed as readonly string[]).includes(raw)) {
      process.stderr.write(`--${name} must be one of ${allowed.join(', ')} (got "${raw}")\n\n${USAGE}`);
      process.exit(2);
    }
    return raw as T;
  };
  return {
    contacts: whole('contacts', values.contacts, 100),
    deals: whole('deals', values.deals, 1000),
    duration: whole('duration', values.duration, 1),
    warmup: whole('warmup', values.warmup, 0),
    warmupRuns: whole('warmup-runs', values['warmup-runs'], 1),
    connections: whole('connections', values.connections, 1),
    json: values.json,
    only: values.only?.split(',').map((s) => s.trim()).filter(Boolean),
    keep: values.keep,
    rounds: whole('rounds', values.rounds, 1),
    webhookBacklog: whole('webhook-backlog', values['webhook-backlog'], 10),
    logLevel: values['log-level'],
    importRows: whole('import-rows', values['import-rows'], 1000),
    postgres: postgresUrl(values.database),
    profile: values.profile,
    profileScenario: values['profile-scenario'],
    importResource: oneOf('import-resource', values['import-resource'], ['contacts', 'companies'] as const),
    cpuProf: values['cpu-prof'],
  };
}
