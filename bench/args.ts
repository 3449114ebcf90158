/** Command-line options of the benchmark (`npm run bench -- --contacts 1000000`). */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Contacts seeded into the workspace before the load runs. */
  contacts: number;
  /** Deals seeded into the workspace's default pipeline before the load runs. */
  deals: number;
  /** Measured seconds per scenario and server. */
  duration: number;
  /** Unmeasured seconds before each measured run (JIT, page cache). */
  warmup: number;
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
}

const USAGE = `Usage: npm run bench -- [--contacts N] [--deals N] [--duration S] [--warmup S] [--connections C] [--json FILE] [--only a,b] [--keep]

  --contacts N      contacts to seed (default 100000)
  --deals N         deals to seed, spread over the default pipeline's open stages (default 100000)
  --duration S      measured seconds per scenario and server (default 10)
  --warmup S        unmeasured warm-up seconds before each run (default 2)
  --connections C   concurrent HTTP connections (default 50)
  --json FILE       also write the results to FILE as JSON
  --only LIST       run only these scenarios: get_by_id,list_first,list_deep,filter_email,create,
                    list_deals_by_stage,create_deal,move_deal,webhooks,
                    report_pipeline,report_sales,report_conversion,report_forecast,search
  --webhook-backlog N  events queued before the webhook drain is timed (default 5000)
  --rounds R        repeat every run R times, keep the best of each (default 1)
  --log-level L     Trellis LOG_LEVEL (default info, as in production; silent shows the logging cost)
  --keep            keep the temporary directory (database and server logs)
`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      contacts: { type: 'string', default: '100000' },
      deals: { type: 'string', default: '100000' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '50' },
      json: { type: 'string' },
      only: { type: 'string' },
      keep: { type: 'boolean', default: false },
      rounds: { type: 'string', default: '1' },
      'log-level': { type: 'string', default: 'info' },
      'webhook-backlog': { type: 'string', default: '5000' },
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
  return {
    contacts: whole('contacts', values.contacts, 100),
    deals: whole('deals', values.deals, 1000),
    duration: whole('duration', values.duration, 1),
    warmup: whole('warmup', values.warmup, 0),
    connections: whole('connections', values.connections, 1),
    json: values.json,
    only: values.only?.split(',').map((s) => s.trim()).filter(Boolean),
    keep: values.keep,
    rounds: whole('rounds', values.rounds, 1),
    webhookBacklog: whole('webhook-backlog', values['webhook-backlog'], 10),
    logLevel: values['log-level'],
  };
}
