/** The benchmarked requests, and one autocannon run of one of them against one server. */
import { randomBytes } from 'node:crypto';
import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';
import type { Seeded } from './seed.js';

export type ScenarioName = 'get_by_id' | 'list_first' | 'list_deep' | 'filter_email' | 'create';

export interface Scenario {
  name: ScenarioName;
  label: string;
  expectStatus: number;
  /** The requests autocannon sends; `tag` keeps generated emails unique per server and run. */
  requests(tag: string): AutocannonRequest[];
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

/** The keyset cursor exactly as src/list/list-query.ts encodeCursor writes it for the default sort. */
export function createdAtCursor(row: { createdAt: number; id: string }): string {
  return Buffer.from(JSON.stringify({ s: 'created_at', v: [row.createdAt], id: row.id })).toString('base64url');
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

export function scenarios(seeded: Seeded): Scenario[] {
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
  const request = template.setupRequest ? template.setupRequest({ ...template, headers: { ...headers, ...template.headers } }, {}) : template;
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
  return performance.now() - started;
}

export async function measure(url: string, scenario: Scenario, options: { tag: string; duration: number; connections: number; headers: Record<string, string> }): Promise<Measurement> {
  const result: AutocannonResult = await autocannon({
    url,
    connections: options.connections,
    duration: options.duration,
    // Long enough that a slow scenario never times out: a timed-out request is re-sent while
    // the server still works on the first, and the backlog grows without end.
    timeout: Math.max(60, options.duration * 6),
    headers: options.headers,
    requests: scenario.requests(options.tag),
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
