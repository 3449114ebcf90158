/**
 * The `mixed` scenario: do slow reads hold up fast ones? A fast class of
 * connections (GET by id, the first list page, POST a contact, in turn) runs
 * alone, then again beside a slow class (reports and a broad search, in turn)
 * on the same Trellis server. Each class gets its own autocannon, both in this
 * process. Trellis only: the baselines have no reports or search.
 */
import { randomBytes } from 'node:crypto';
import type { AutocannonRequest } from 'autocannon';
import { setTimeout as sleep } from 'node:timers/promises';
import { fmt, table, type Check } from './report.js';
import type { SeededReports } from './reports.js';
import { drain, load, warmUp, type Measurement } from './scenarios.js';
import { LAST, type Seeded, type SeededDeals } from './seed.js';

/** The targets of the performance issue, at 1,000,000 contacts. */
export const MIXED_TARGETS = { fastP99Ms: 10, minShareOfAlone: 80 } as const;

/** One kind of request within a class: how many answered and their latency, in ms. */
export interface KindStats {
  kind: string;
  count: number;
  p50: number;
  p99: number;
}

export interface MixedResults {
  fastConnections: number;
  slowConnections: number;
  /** The fast class with no slow connections. */
  fastAlone: Measurement & { kinds: KindStats[] };
  /** The fast class beside the slow one. */
  fastMixed: Measurement & { kinds: KindStats[] };
  slow: Measurement & { kinds: KindStats[] };
  /** fastMixed's req/s as a share of fastAlone's, in %. */
  shareOfAlone: number;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

export const FAST_LABEL = 'GET /v1/contacts/{id} ×4, GET /v1/contacts?limit=25, POST /v1/contacts';
export const SLOW_LABEL = 'GET /v1/reports/{pipeline,sales,conversion,forecast}, GET /v1/search?q=<last name>';

type Kind = 'GET by id' | 'list page 1' | 'POST' | 'report' | 'search';
type KindedRequest = AutocannonRequest & { kind: Kind };
/** Latencies (ms) per kind of request, of one autocannon run. */
type Sink = Map<Kind, number[]>;

/**
 * The class's requests, each timing itself into `sink`: autocannon times a run, not each kind of
 * request in it. A connection sends its next request right after the previous answer, calling
 * setupRequest just before the write, so from setupRequest to onResponse (same connection, same
 * context) is the request's latency. (A connection's first request is built before it connects:
 * its time includes the connect.)
 */
function timed(requests: KindedRequest[], sink: Sink): AutocannonRequest[] {
  return requests.map(({ kind, ...template }) => {
    const latencies = sink.get(kind) ?? [];
    sink.set(kind, latencies);
    return {
      ...template,
      setupRequest: (request, context) => {
        context.sentAt = performance.now();
        return template.setupRequest ? template.setupRequest(request, context) : request;
      },
      onResponse: (status, body, context, headers) => {
        if (typeof context.sentAt === 'number') latencies.push(performance.now() - context.sentAt);
        template.onResponse?.(status, body, context, headers);
      },
    };
  });
}

function kindStats(sink: Sink): KindStats[] {
  const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return [...sink].map(([kind, latencies]) => {
    const sorted = latencies.sort((a, b) => a - b);
    return { kind, count: sorted.length, p50: at(sorted, 0.5), p99: at(sorted, 0.99) };
  });
}

/** Each connection sends a class's requests in turn: fast = 2 by id, first page, 2 by id, create; slow = a report, a search, the next report, a search… */
export function mixedRequests(seeded: Seeded, deals: SeededDeals, reports: SeededReports): { fast(tag: string): KindedRequest[]; slow: KindedRequest[] } {
  const ids = seeded.sample.map((s) => s.id);
  const nonce = randomBytes(4).toString('hex');
  const pipeline = `pipeline_id=${deals.pipelineId}`;
  // One word each, every one the last name of 1 in 30 seeded contacts: the broadest searches there are.
  const lastNames = LAST.filter((name) => /^[a-z]+$/.test(name));
  const search: KindedRequest = { kind: 'search', method: 'GET', setupRequest: (request) => ({ ...request, path: `/v1/search?q=${pick(lastNames)}&limit=25` }) };
  return {
    fast: (tag) => {
      let n = 0;
      const byId = (): KindedRequest => ({ kind: 'GET by id', method: 'GET', setupRequest: (request) => ({ ...request, path: `/v1/contacts/${pick(ids)}` }) });
      // Mostly look-ups, as an integration's traffic is: 4 by id, 1 list page, 1 create.
      return [
        byId(),
        byId(),
        { kind: 'list page 1', method: 'GET', path: '/v1/contacts?limit=25' },
        byId(),
        byId(),
        {
          kind: 'POST',
          method: 'POST',
          path: '/v1/contacts',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => {
            n += 1;
            return { ...request, body: JSON.stringify({ first_name: 'Mixed', last_name: `Load ${n}`, email: `mixed.${nonce}.${tag}.${n}@example.com` }) };
          },
        },
      ];
    },
    slow: [
      { kind: 'report', method: 'GET', path: `/v1/reports/pipeline?${pipeline}&group_by=stage,owner` },
      search,
      { kind: 'report', method: 'GET', path: `/v1/reports/sales?${pipeline}&from=${reports.from}&interval=week` },
      search,
      { kind: 'report', method: 'GET', path: `/v1/reports/conversion?${pipeline}&from=${reports.from}` },
      search,
      { kind: 'report', method: 'GET', path: `/v1/reports/forecast?${pipeline}&interval=month` },
      search,
    ],
  };
}

/** Sends each request once and checks it answers 2xx with JSON, so no run measures errors. */
async function probeAll(url: string, requests: KindedRequest[], headers: Record<string, string>): Promise<void> {
  for (const template of requests) {
    const request = template.setupRequest ? template.setupRequest({ ...template, headers: { ...headers, ...template.headers } }, {}) : template;
    const response = await fetch(`${url}${request.path ?? '/'}`, {
      method: request.method ?? 'GET',
      headers: { ...headers, ...request.headers },
      body: typeof request.body === 'string' ? request.body : undefined,
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`mixed: ${request.method ?? 'GET'} ${request.path ?? ''} answered ${response.status}: ${text.slice(0, 500)}`);
    JSON.parse(text);
  }
}

/**
 * The fast class alone (after a warm-up), then beside the slow class. The slow class starts
 * a second early, so the fast run meets it at full load from its first request to its last.
 */
export async function benchMixed(
  url: string,
  requests: ReturnType<typeof mixedRequests>,
  options: { connections: number; duration: number; warmup: number; warmupRuns: number; headers: Record<string, string>; round: number },
): Promise<MixedResults> {
  const slowConnections = Math.max(1, Math.round(options.connections / 10));
  const fastConnections = Math.max(1, options.connections - slowConnections);
  const { headers, duration } = options;
  await probeAll(url, [...requests.fast(`probe${options.round}`), ...requests.slow], headers);
  const run = async (kinded: KindedRequest[], runDuration: number, connections: number) => {
    const sink: Sink = new Map();
    const m = await load(url, timed(kinded, sink), { duration: runDuration, connections, headers });
    return { ...m, kinds: kindStats(sink) };
  };
  if (options.warmup > 0) {
    await warmUp(async (i) => {
      const w = await load(url, requests.fast(`w${options.round}.${i}`), { duration: options.warmup, connections: fastConnections, headers });
      await drain(url);
      return w;
    }, options.warmupRuns);
  }
  const fastAlone = await run(requests.fast(`a${options.round}`), duration, fastConnections);
  await drain(url);
  const lead = 1;
  const slowRun = run(requests.slow, duration + lead, slowConnections);
  await sleep(lead * 1000);
  const fastMixed = await run(requests.fast(`m${options.round}`), duration, fastConnections);
  const slow = await slowRun;
  await drain(url);
  return { fastConnections, slowConnections, fastAlone, fastMixed, slow, shareOfAlone: fastAlone.rps > 0 ? (100 * fastMixed.rps) / fastAlone.rps : 0 };
}

export function mixedTable(r: MixedResults, duration: number): string {
  const rows: string[][] = [];
  const add = (name: string, connections: number, m: MixedResults['fastAlone']) => {
    rows.push([name, fmt(connections), fmt(m.rps, m.rps < 100 ? 1 : 0), fmt(m.p50, 1), fmt(m.p99, 1), fmt(m.non2xx), fmt(m.errors)]);
    // Each kind's own rate: its answers over the run (the slow class runs a second longer, see benchMixed).
    const seconds = name.startsWith('slow') ? duration + 1 : duration;
    for (const k of m.kinds) rows.push([`  ${k.kind}`, '', fmt(k.count / seconds, k.count / seconds < 100 ? 1 : 0), fmt(k.p50, 1), fmt(k.p99, 1), '', '']);
  };
  add('fast, alone', r.fastConnections, r.fastAlone);
  add('fast, beside the slow class', r.fastConnections, r.fastMixed);
  add('slow, beside the fast class', r.slowConnections, r.slow);
  return [
    table(['class', 'connections', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors'], rows, [false, true, true, true, true, true, true]),
    `fast = ${FAST_LABEL}, in turn`,
    `slow = ${SLOW_LABEL}, in turn`,
    `Beside the slow class the fast class kept ${fmt(r.shareOfAlone)} % of its throughput alone; its p99 went from ${fmt(r.fastAlone.p99, 1)} ms to ${fmt(r.fastMixed.p99, 1)} ms.`,
  ].join('\n');
}

export function mixedChecks(r: MixedResults): Check[] {
  return [
    { target: `Mixed: fast class p99 beside the slow class <= ${MIXED_TARGETS.fastP99Ms} ms`, actual: `${fmt(r.fastMixed.p99, 1)} ms`, pass: r.fastMixed.p99 <= MIXED_TARGETS.fastP99Ms },
    {
      target: `Mixed: fast class req/s beside the slow class within ${100 - MIXED_TARGETS.minShareOfAlone} % of alone`,
      actual: `${fmt(r.shareOfAlone)} %`,
      pass: r.shareOfAlone >= MIXED_TARGETS.minShareOfAlone,
    },
  ];
}
