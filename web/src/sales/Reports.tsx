/**
 * Reports: pipeline by stage or owner, sales per week or month and owner,
 * conversion by stage with median time in stage, forecast by close month; as
 * a table and a simple bar chart, in the browser's time zone, with the API's
 * CSV to download.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import { Loading, ProblemAlert } from '../ui/feedback';
import { SelectField } from '../ui/fields';
import { Page } from '../ui/page';
import { moneyTotals } from './shared';

type ReportName = 'pipeline-stage' | 'pipeline-owner' | 'sales-week' | 'sales-month' | 'conversion' | 'forecast';

const REPORTS: { value: ReportName; label: string }[] = [
  { value: 'pipeline-stage', label: 'Pipeline by stage' },
  { value: 'pipeline-owner', label: 'Pipeline by owner' },
  { value: 'sales-week', label: 'Sales per week and owner' },
  { value: 'sales-month', label: 'Sales per month and owner' },
  { value: 'conversion', label: 'Conversion by stage' },
  { value: 'forecast', label: 'Forecast by close month' },
];

const PERIODS = ['this_month', 'last_month', 'this_quarter', 'last_quarter', 'this_week', 'last_week'] as const;

interface Table {
  columns: string[];
  rows: (string | number)[][];
  /** The figure the chart draws, per row. */
  bars: { label: string; value: number }[];
  barLabel: string;
}

const fmt = (v: unknown): string | number => (v === null || v === undefined ? '—' : typeof v === 'object' ? moneyTotals(v as Record<string, number>) : (v as string | number));

export default function Reports() {
  const [report, setReport] = useState<ReportName>('pipeline-stage');
  const [period, setPeriod] = useState<(typeof PERIODS)[number]>('this_month');
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const [kind, variant] = report.split('-') as ['pipeline' | 'sales' | 'conversion' | 'forecast', string | undefined];
  const query = (): Record<string, string> => {
    switch (kind) {
      case 'pipeline':
        return { group_by: variant ?? 'stage', timezone };
      case 'sales':
        return { interval: variant ?? 'week', period, timezone };
      case 'conversion':
        return { period, timezone };
      case 'forecast':
        return { interval: 'month', timezone };
    }
  };
  const data = useQuery({ queryKey: ['report', report, period, timezone], queryFn: () => (api.reports[kind] as (q: Record<string, string>) => Promise<unknown>)(query()) });
  const download = async () => {
    const csv = await api.reports.csv(kind, query() as never);
    const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${kind}-report.csv`;
    link.click();
    URL.revokeObjectURL(url);
  };
  const table = data.data ? tableOf(kind, data.data as Record<string, unknown>) : undefined;
  const max = Math.max(1, ...(table?.bars.map((b) => b.value) ?? [1]));
  return (
    <Page title="Reports" intro={`Figures from the API's reports, in your time zone (${timezone}). Money is never summed across currencies.`}>
      <div className="toolbar">
        <SelectField label="Report" value={report} onChange={(e) => setReport(e.target.value as ReportName)}>
          {REPORTS.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </SelectField>
        {(kind === 'sales' || kind === 'conversion') && (
          <SelectField label="Period" value={period} onChange={(e) => setPeriod(e.target.value as (typeof PERIODS)[number])}>
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                {p.replace('_', ' ')}
              </option>
            ))}
          </SelectField>
        )}
        <button type="button" className="button" onClick={() => void download()}>
          Download CSV
        </button>
      </div>
      {data.isPending ? (
        <Loading what="the report" />
      ) : data.error ? (
        <ProblemAlert error={data.error} title="Could not load the report." />
      ) : table && table.rows.length === 0 ? (
        <p className="empty">No figures for this report yet: deals, moves and activities make them.</p>
      ) : table ? (
        <>
          <figure className="chart">
            <figcaption>{table.barLabel}</figcaption>
            <svg role="img" aria-label={`${table.barLabel}: ${table.bars.map((b) => `${b.label} ${b.value}`).join(', ')}`} viewBox={`0 0 400 ${table.bars.length * 26 + 4}`} width="100%" preserveAspectRatio="xMinYMin meet">
              {table.bars.map((b, i) => (
                <g key={`${b.label}-${i}`} transform={`translate(0 ${i * 26 + 2})`}>
                  <text x="0" y="16" fontSize="11" fill="#1b1f1d">
                    {b.label.slice(0, 22)}
                  </text>
                  <rect x="150" y="3" height="18" width={Math.max(1, (b.value / max) * 220)} fill="#1f6f4a" />
                  <text x={155 + (b.value / max) * 220} y="16" fontSize="11" fill="#1b1f1d">
                    {b.value}
                  </text>
                </g>
              ))}
            </svg>
          </figure>
          <div className="table-wrap">
            <table className="data">
              <caption>{REPORTS.find((r) => r.value === report)?.label}</caption>
              <thead>
                <tr>
                  {table.columns.map((c) => (
                    <th key={c} scope="col">
                      {c}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {table.rows.map((row, i) => (
                  <tr key={i}>
                    {row.map((cell, j) => (
                      <td key={j} data-label={table.columns[j]}>
                        {cell}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </Page>
  );
}

function tableOf(kind: 'pipeline' | 'sales' | 'conversion' | 'forecast', data: Record<string, unknown>): Table {
  const rows = (data.rows as Record<string, unknown>[]) ?? [];
  const owner = (r: Record<string, unknown>) => String(r.owner_name ?? (r.owner_id ? r.owner_id : 'No owner'));
  switch (kind) {
    case 'pipeline': {
      const byStage = (data.group_by as string[]).includes('stage');
      return {
        columns: [byStage ? 'Stage' : 'Owner', 'Open deals', 'Total value', 'Weighted value', 'Average age (days)'],
        rows: rows.map((r) => [byStage ? fmt(r.stage_name ?? r.stage_id) : owner(r), fmt(r.open_deals), fmt(r.total_value), fmt(r.weighted_value), fmt(r.average_age_days)]),
        bars: rows.map((r) => ({ label: byStage ? String(r.stage_name ?? r.stage_id) : owner(r), value: Number(r.open_deals) })),
        barLabel: 'Open deals',
      };
    }
    case 'sales':
      return {
        columns: ['From', 'To', 'Owner', 'Created', 'Won', 'Won value', 'Lost', 'Win rate (%)'],
        rows: rows.map((r) => [fmt(r.interval_start), fmt(r.interval_end), owner(r), fmt(r.deals_created), fmt(r.deals_won), fmt(r.won_value), fmt(r.deals_lost), fmt(r.win_rate)]),
        bars: rows.map((r) => ({ label: `${String(r.interval_start)} ${owner(r)}`, value: Number(r.deals_won) })),
        barLabel: 'Deals won',
      };
    case 'conversion':
      return {
        columns: ['Stage', 'Entered', 'Exits', 'Advanced', 'Won', 'Lost', 'Conversion (%)', 'Median days in stage'],
        rows: rows.map((r) => [fmt(r.stage_name ?? r.stage_id), fmt(r.entered), fmt(r.exits), fmt(r.advanced), fmt(r.won), fmt(r.lost), fmt(r.conversion_rate), fmt(r.median_days_in_stage)]),
        bars: rows.map((r) => ({ label: String(r.stage_name ?? r.stage_id), value: Number(r.entered) })),
        barLabel: 'Deals entering each stage',
      };
    case 'forecast':
      return {
        columns: ['Close month', 'Owner', 'Open deals', 'Total value', 'Weighted value'],
        rows: rows.map((r) => [fmt(r.interval_start ?? 'No date'), owner(r), fmt(r.open_deals), fmt(r.total_value), fmt(r.weighted_value)]),
        bars: rows.map((r) => ({ label: `${String(r.interval_start ?? 'No date')} ${owner(r)}`, value: Number(r.open_deals) })),
        barLabel: 'Open deals by expected close month',
      };
  }
}
