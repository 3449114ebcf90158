/** The benchmarked requests, and one autocannon run of one of them against one server. */
import { randomBytes } from 'node:crypto';
import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';
import type { Seeded, SeededDeals } from './seed.js';

export type ScenarioName =
  | 'get_by_id'
  | 'list_first'
  | 'list_deep'
  | 'filter_email'
  | 'create'
  | 'list_deals_by_stage'
  | 'create_deal'
  | 'move_deal'
  | 'report_pipeline'
  | 'report_sales'
  | 'report_conversion'
  | 'report_forecast'
  | 'search';

export interface Scenario {
  name: ScenarioName;
  label: string;
  expectStatus: number;
  /** Run against Trellis only: the baselines have no such endpoint (the reports). */
  trellisOnly?: boolean;
  /** Connections for this scenario instead of --connections (1: p50 is the time of one request). */
  connections?: number;
  /** The requests autocannon sends; `tag` keeps generated emails unique per server and run. */
  requests(tag: string): AutocannonRequest[];
  /** What the scenario found wrong in the answers of the run tagged `tag` (e.g. moves that moved nothing), if anything. */
  problems?(tag: string): string | undefined;
  /** A line for under the results table, if the scenario has something to say. */
  summary?(): string | undefined;
}

export interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  meanMs: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

/** The keyset cursor exactly as src/list/cursor.ts encodeCursor writes it for the default sort. */
export function createdAtCursor(row: { createdAt: number; id: string }): string {
  return Buffer.from(JSON.stringify({ s: 'created_at', v: [row.createdAt], id: row.id })).toString('base64url');
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

export function scenarios(seeded: Seeded, deals: SeededDeals, options: { connections: number }): Scenario[] {
  const nonce = randomBytes(4).toString('hex');
  const deepCursor = createdAtCursor(seeded.middle);
  const ids = seeded.sample.map((s) => s.id);
  const emails = seeded.sample.map((s) => encodeURIComponent(s.email));
  return [
    {
      name: 'get_by_id',
      label: 'GET /v1/contacts/{id}',
      expectStatus: 200,
      requests: () => [{ method: 'GET', setupRequest: (request) => ({ ...request, path: `/v1/contacts/${pick(ids)}` }) }],
    },
    {
      name: 'list_first',
      label: 'GET /v1/contacts?limit=25 (page 1)',
      expectStatus: 200,
      requests: () => [{ method: 'GET', path: '/v1/contacts?limit=25' }],
    },
    {
      name: 'list_deep',
      label: `GET /v1/contacts?limit=25&cursor= (row ${Math.floor(seeded.contacts / 2).toLocaleString('en-US')})`,
      expectStatus: 200,
      requests: () => [{ method: 'GET', path: `/v1/contacts?limit=25&cursor=${deepCursor}` }],
    },
    {
      name: 'filter_email',
      label: 'GET /v1/contacts?email=…',
      expectStatus: 200,
      requests: () => [{ method: 'GET', setupRequest: (request) => ({ ...request, path: `/v1/contacts?email=${pick(emails)}` }) }],
    },
    {
      name: 'create',
      label: 'POST /v1/contacts',
      expectStatus: 201,
      requests: (tag) => {
        let n = 0;
        return [
          {
            method: 'POST',
            path: '/v1/contacts',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request) => {
              n += 1;
              const email = `bench.${nonce}.${tag}.${n}@example.com`;
              return { ...request, body: JSON.stringify({ first_name: 'Bench', last_name: `Load ${n}`, email }) };
            },
          },
        ];
      },
    },
    ...dealScenarios(deals, nonce, options.connections),
  ];
}

/** Deals seen by one server's move requests: where each is (0 or 1, of the two move stages) and its version. */
const VERSION = /"version":(\d+)/;

function dealScenarios(deals: SeededDeals, nonce: string, connections: number): Scenario[] {
  const { listStage, moveStages, movePool } = deals;
  const stageIds = [moveStages[0].id, moveStages[1].id] as const;
  // The move scenario's state, across all runs: which of the two stages each pool deal is in,
  // and its version (1 as seeded; each real move adds 1). Updated from the answers, so a
  // request a run's end cut off costs at most one detected no-op.
  const where = Uint8Array.from(movePool, (d) => d.at);
  const versions = new Uint32Array(movePool.length).fill(1);
  // Each run walks a fresh block of the pool, round-robin; the block is much larger than the
  // number of requests in flight, so no two requests in flight name the same deal.
  const blockSize = Math.min(movePool.length, Math.max(2_000, connections * 20));
  let nextBlock = 0;
  const checks = new Map<string, { moves: number; noops: number; unchecked: number }>();
  const total = { moves: 0, noops: 0 };
  return [
    {
      name: 'list_deals_by_stage',
      label: `GET /v1/deals?stage_id=…&limit=25 (${listStage.deals.toLocaleString('en-US')} in stage)`,
      expectStatus: 200,
      requests: () => [{ method: 'GET', path: `/v1/deals?stage_id=${listStage.id}&limit=25` }],
    },
    {
      name: 'create_deal',
      label: 'POST /v1/deals',
      expectStatus: 201,
      requests: (tag) => {
        let n = 0;
        return [
          {
            method: 'POST',
            path: '/v1/deals',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request) => {
              n += 1;
              return { ...request, body: JSON.stringify({ name: `Bench ${nonce} ${tag} ${n}`, value: { amount: 100 * (1 + (n % 50_000)), currency: 'USD' } }) };
            },
          },
        ];
      },
    },
    {
      name: 'move_deal',
      label: `POST /v1/deals/{id}/move (${moveStages[0].name} <-> ${moveStages[1].name})`,
      expectStatus: 200,
      requests: (tag) => {
        const start = nextBlock;
        nextBlock = (nextBlock + blockSize) % movePool.length;
        const check = { moves: 0, noops: 0, unchecked: 0 };
        checks.set(tag, check);
        let k = 0;
        return [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request, context) => {
              const index = (start + (k % blockSize)) % movePool.length;
              k += 1;
              const deal = movePool[index] as (typeof movePool)[number];
              // Always to the stage the deal is not in: every request is a real move.
              const target = where[index] === 0 ? 1 : 0;
              context.index = index;
              context.target = target;
              context.expectVersion = (versions[index] ?? 1) + 1;
              return { ...request, path: `/v1/deals/${deal.id}/move`, body: `{"stage_id":"${stageIds[target]}"}` };
            },
            onResponse: (status, body, context) => {
              if (status !== 200) return;
              const version = VERSION.exec(body)?.[1];
              // The constant baseline answers no deal: nothing moved, nothing to check.
              if (version === undefined) {
                check.unchecked += 1;
                return;
              }
              const index = context.index as number;
              where[index] = context.target as 0 | 1;
              versions[index] = Number(version);
              check.moves += 1;
              total.moves += 1;
              if (Number(version) !== context.expectVersion) {
                check.noops += 1;
                total.noops += 1;
              }
            },
          },
        ];
      },
      problems: (tag) => {
        const check = checks.get(tag);
        return check && check.noops > 0 ? `${check.noops} of ${check.moves} moves moved nothing (version unchanged)` : undefined;
      },
      summary: () =>
        total.moves > 0
          ? `move_deal: ${total.moves.toLocaleString('en-US')} move answers checked, ${total.noops.toLocaleString('en-US')} of them no-ops (a deal already in the target stage); ${blockSize.toLocaleString('en-US')} deals per run, ${movePool.length.toLocaleString('en-US')} in the pool.`
          : undefined,
    },
  ];
}

/**
 * fetch, retried on a network error: a pooled keep-alive connection the server
 * closed while idle (between two runs) fails the first request sent on it.
 */
async function fetchRetry(url: string, init: RequestInit = {}): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof TypeError)) throw error;
    }
  }
}

/**
 * After a run the server may still hold requests it read before autocannon hung up
 * (a slow scenario leaves up to one per connection): wait until it answers again,
 * so that work does not eat into the next run's CPU.
 */
export async function drain(url: string): Promise<void> {
  const response = await fetchRetry(`${url}/readyz`, { signal: AbortSignal.timeout(600_000) });
  await response.arrayBuffer();
}

/**
 * Sends the scenario's request once with fetch and checks the answer, so no run
 * measures errors. Returns how long it took, in ms.
 */
export async function probe(url: string, scenario: Scenario, headers: Record<string, string>): Promise<number> {
  const started = performance.now();
  const [template] = scenario.requests(`probe${randomBytes(3).toString('hex')}`);
  if (!template) throw new Error(`scenario ${scenario.name} has no request`);
  const context: Record<string, unknown> = {};
  const request = template.setupRequest ? template.setupRequest({ ...template, headers: { ...headers, ...template.headers } }, context) : template;
  const response = await fetchRetry(`${url}${request.path ?? '/'}`, {
    method: request.method ?? 'GET',
    headers: { ...headers, ...request.headers },
    body: typeof request.body === 'string' ? request.body : undefined,
  });
  const text = await response.text();
  if (response.status !== scenario.expectStatus) {
    throw new Error(`${scenario.name} against ${url}: expected ${scenario.expectStatus}, got ${response.status}: ${text.slice(0, 500)}`);
  }
  JSON.parse(text);
  // As autocannon would: a scenario that tracks state (move_deal) learns what the probe changed.
  template.onResponse?.(response.status, text, context, {});
  return performance.now() - started;
}

export function measure(url: string, scenario: Scenario, options: { tag: string; duration: number; connections: number; headers: Record<string, string> }): Promise<Measurement> {
  return load(url, scenario.requests(options.tag), options);
}

/**
 * Unmeasured runs until the server's pace settles: `run` is called until two runs in a row are
 * within 10 % of each other's req/s, at most `maxRuns` times. A fresh Node server takes many
 * seconds of load to reach its pace (V8 optimizes hot code on background threads, which a busy
 * machine starves): one fixed warm-up measured Trellis at a third of its later rate. Returns
 * each run's req/s.
 */
export async function warmUp(run: (i: number) => Promise<Measurement>, maxRuns: number): Promise<number[]> {
  const pace: number[] = [];
  for (let i = 1; i <= maxRuns; i++) {
    const { rps } = await run(i);
    const previous = pace[pace.length - 1];
    pace.push(rps);
    if (previous !== undefined && Math.abs(rps - previous) <= 0.1 * Math.max(rps, previous)) break;
  }
  return pace;
}

/** One autocannon run of `requests` (each connection sends them in turn, over and over). */
export async function load(url: string, requests: AutocannonRequest[], options: { duration: number; connections: number; headers: Record<string, string> }): Promise<Measurement> {
  const result: AutocannonResult = await autocannon({
    url,
    connections: options.connections,
    duration: options.duration,
    // Long enough that a slow scenario never times out: a timed-out request is re-sent while
    // the server still works on the first, and the backlog grows without end.
    timeout: Math.max(60, options.duration * 6),
    headers: options.headers,
    requests,
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = Number(count);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    meanMs: result.latency.average,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
  };
}
