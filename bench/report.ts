/** The results table and the targets of the performance issue. */
import { REPORT_SCENARIOS, REPORT_TARGET_MS } from './reports.js';
import type { Measurement, Scenario, ScenarioName } from './scenarios.js';

/** Trellis; the bare Fastify server running the same queries on the same database (SQLite or PostgreSQL); bare Fastify answering a constant. */
export type ServerName = 'trellis' | 'bare' | 'fastify';

/** What the bare database server is, in the tables: 'Fastify+SQLite' or 'Fastify+pg'. */
export type BareName = 'Fastify+SQLite' | 'Fastify+pg';

export interface Row {
  scenario: Scenario;
  results: Partial<Record<ServerName, Measurement>>;
}

export interface Check {
  target: string;
  actual: string;
  pass: boolean;
}

export const fmt = (n: number | undefined, digits = 0) => (n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const pct = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? undefined : (100 * a) / b);
const pctText = (p: number | undefined) => (p === undefined ? '-' : `${fmt(p)} %`);

export function table(header: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Fewer responses than this in a run: its req/s and percentiles rest on too few samples to compare. */
export const FEW_SAMPLES = 200;

export function resultsTable(rows: Row[], bare: BareName): string {
  const header = ['scenario', 'server', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', `vs ${bare}`, 'vs fastify'];
  const body: string[][] = [];
  for (const { scenario, results } of rows) {
    for (const server of ['trellis', 'bare', 'fastify'] as const) {
      const m = results[server];
      if (!m) continue;
      body.push([
        server === 'trellis' ? scenario.label : '',
        server === 'trellis' ? 'Trellis (full stack)' : server === 'bare' ? `bare ${bare}` : 'bare Fastify',
        `${fmt(m.rps, m.rps < 100 ? 1 : 0)}${m.total < FEW_SAMPLES ? '*' : ''}`,
        fmt(m.p50, 1),
        fmt(m.p99, 1),
        fmt(m.non2xx),
        fmt(m.errors),
        server === 'trellis' ? pctText(pct(m.rps, results.bare?.rps)) : '',
        server === 'fastify' ? '' : pctText(pct(m.rps, results.fastify?.rps)),
      ]);
    }
  }
  const few = rows.some((r) => Object.values(r.results).some((m) => m.total < FEW_SAMPLES));
  const note = few ? `\n* fewer than ${FEW_SAMPLES} responses in the run: too few to compare closely.` : '';
  return table(header, body, [false, false, true, true, true, true, true, true, true]) + note;
}

export function checkTargets(rows: Row[], bare: BareName): Check[] {
  const get = (name: ScenarioName) => rows.find((r) => r.scenario.name === name)?.results;
  const checks: Check[] = [];
  const ratio = (name: ScenarioName, min: number, label: string) => {
    const r = get(name);
    if (!r?.trellis || !r.bare) return;
    const p = pct(r.trellis.rps, r.bare.rps) ?? 0;
    const few = r.trellis.total < FEW_SAMPLES || r.bare.total < FEW_SAMPLES ? ' (few samples)' : '';
    checks.push({ target: `${label}: Trellis req/s >= ${min} % of bare ${bare}`, actual: `${fmt(p)} %${few}`, pass: p >= min });
  };

  ratio('get_by_id', 50, 'GET by id');
  const byId = get('get_by_id')?.trellis;
  if (byId) checks.push({ target: 'GET by id: Trellis p99 <= 10 ms', actual: `${fmt(byId.p99, 1)} ms`, pass: byId.p99 <= 10 });
  ratio('list_first', 60, 'List, first page');
  ratio('list_deep', 60, 'List, deep page');
  ratio('filter_email', 60, 'List, filter by email');
  const first = get('list_first')?.trellis;
  const deep = get('list_deep')?.trellis;
  if (first && deep) {
    const diff = pct(Math.abs(deep.rps - first.rps), first.rps) ?? 100;
    checks.push({ target: 'Deep page req/s within 20 % of first page (Trellis)', actual: `${deep.rps >= first.rps ? '+' : '-'}${fmt(diff)} %`, pass: diff <= 20 });
  }
  ratio('create', 50, 'POST');
  // The reports issue: each report under 200 ms at 100,000 deals, per request (one connection, so p50 is one report's time).
  for (const name of REPORT_SCENARIOS) {
    const m = get(name)?.trellis;
    if (m) checks.push({ target: `${name}: one report (p50, 1 connection) <= ${REPORT_TARGET_MS} ms`, actual: `${fmt(m.p50, 1)} ms (p99 ${fmt(m.p99, 1)})`, pass: m.p50 <= REPORT_TARGET_MS });
  }
  return checks;
}

export function checksTable(checks: Check[]): string {
  return table(
    ['target', 'measured', ''],
    checks.map((c) => [c.target, c.actual, c.pass ? 'PASS' : 'MISS']),
    [false, true, false],
  );
}
