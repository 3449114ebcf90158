/**
 * Report periods and intervals in a time zone. The boundaries are computed
 * here with luxon (IANA zones, daylight-saving days of 23 or 25 hours, ISO
 * weeks starting Monday) and handed to SQL as epoch milliseconds or dates, so
 * the queries bucket plain integers the same way on SQLite and PostgreSQL.
 */
import { DateTime, IANAZone } from 'luxon';
import { invalidFields } from '../domain/errors.js';

export const PERIODS = ['this_week', 'last_week', 'this_month', 'last_month', 'this_quarter', 'last_quarter'] as const;
export type PeriodName = (typeof PERIODS)[number];

export const INTERVALS = ['week', 'month', 'quarter'] as const;
export type IntervalUnit = (typeof INTERVALS)[number];

/** Reports split a period into at most this many intervals (five years of weeks). */
export const MAX_INTERVALS = 262;

export interface PeriodInput {
  period?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** A stretch of time in a zone: `start` inclusive, `end` exclusive, both at midnight local time. */
export interface Period {
  start: DateTime;
  end: DateTime;
}

export interface Interval extends Period {
  /** The local date of the first day, YYYY-MM-DD. */
  firstDay: string;
  /** The local date of the last day (inclusive), YYYY-MM-DD. */
  lastDay: string;
}

/** The zone named, or a validation error; UTC when none is given. */
export function checkZone(name: string | undefined): string {
  if (name === undefined) return 'UTC';
  // IANA names only (Europe/Paris, America/New_York, UTC); not offsets like +02:00, which ignore daylight saving.
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name) || !IANAZone.isValidZone(name)) {
    throw invalidFields({ timezone: `${name} is not an IANA time zone name, such as Europe/Berlin, America/New_York or UTC.` });
  }
  return name;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseDate(text: string, zone: string, field: 'from' | 'to'): DateTime {
  const date = DATE.test(text) ? DateTime.fromISO(text, { zone }) : undefined;
  if (!date?.isValid) throw invalidFields({ [field]: `${field} must be a date like 2026-03-02.` });
  return date.startOf('day');
}

/**
 * The period asked for: a named one (relative to `now` in the zone), or
 * `from`..`to` as whole local days, both inclusive (`to` defaults to today).
 * Undefined when none is given.
 */
export function resolvePeriod(input: PeriodInput, now: number, zone: string): Period | undefined {
  const { period, from, to } = input;
  if (period !== undefined && (from !== undefined || to !== undefined)) {
    throw invalidFields({ period: 'Give either period or from/to, not both.' });
  }
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  if (period !== undefined) return namedPeriod(period, today);
  if (from === undefined && to === undefined) return undefined;
  if (from === undefined) throw invalidFields({ from: 'from is required with to.' });
  const start = parseDate(from, zone, 'from');
  const last = to === undefined ? today : parseDate(to, zone, 'to');
  if (last < start) throw invalidFields({ from: `from (${from}) is after to (${to ?? today.toISODate()}).` });
  return { start, end: last.plus({ days: 1 }).startOf('day') };
}

function namedPeriod(name: string, today: DateTime): Period {
  const span = (unit: 'week' | 'month' | 'quarter', back: number): Period => {
    const start = today.startOf(unit).minus({ [`${unit}s`]: back });
    return { start, end: start.plus({ [`${unit}s`]: 1 }) };
  };
  switch (name as PeriodName) {
    case 'this_week':
      return span('week', 0);
    case 'last_week':
      return span('week', 1);
    case 'this_month':
      return span('month', 0);
    case 'last_month':
      return span('month', 1);
    case 'this_quarter':
      return span('quarter', 0);
    case 'last_quarter':
      return span('quarter', 1);
  }
  throw invalidFields({ period: `period must be one of ${PERIODS.join(', ')}.` });
}

/**
 * The period cut at the starts of weeks (Monday), months or quarters in its
 * zone; the first and last intervals are clipped to the period.
 */
export function intervalsOf(period: Period, unit: IntervalUnit): Interval[] {
  const intervals: Interval[] = [];
  let start = period.start;
  while (start < period.end) {
    const next = start.startOf(unit).plus({ [`${unit}s`]: 1 });
    const end = next < period.end ? next : period.end;
    intervals.push({ start, end, firstDay: localDate(start), lastDay: localDate(end.minus({ days: 1 })) });
    if (intervals.length > MAX_INTERVALS) {
      throw invalidFields({ interval: `The period holds more than ${MAX_INTERVALS} ${unit}s; choose a shorter period or a longer interval.` });
    }
    start = end;
  }
  return intervals;
}

export const localDate = (time: DateTime): string => time.toISODate() ?? '';

/** The period as the report shows it. */
export function describePeriod(period: Period, zone: string) {
  return {
    from: localDate(period.start),
    to: localDate(period.end.minus({ days: 1 })),
    timezone: zone,
    start: period.start.toUTC().toISO() ?? '',
    end: period.end.toUTC().toISO() ?? '',
  };
}
