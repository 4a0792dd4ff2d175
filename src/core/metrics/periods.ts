import { TIME_PERIODS, type TimePeriod } from "../enums.ts";

// Calendar buckets of repo_metrics, all in UTC: a day, an ISO week (Monday to Sunday), a month.
// A bucket is named by the date of its first day, `YYYY-MM-DD`.

const DAY_MS = 86_400_000;

export interface PeriodKey {
  period: TimePeriod;
  /** First day of the bucket, `YYYY-MM-DD` (UTC). */
  date: string;
}

export interface PeriodRange {
  /** Inclusive, midnight UTC. */
  start: Date;
  /** Exclusive, midnight UTC of the next bucket. */
  end: Date;
}

/** `YYYY-MM-DD` of a UTC instant. */
export function utcDate(instant: Date | number): string {
  return new Date(instant).toISOString().slice(0, 10);
}

/** Midnight UTC of a `YYYY-MM-DD`; throws on anything else. */
export function parseDate(date: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const parsed = new Date(`${date}T00:00:00.000Z`);
  if (Number.isNaN(parsed.getTime()) || utcDate(parsed) !== date)
    throw new RangeError(`not a calendar date: ${date}`);
  return parsed;
}

/** The bucket an instant falls in. Time zones in the input only matter through the instant they name. */
export function periodStart(period: TimePeriod, instant: Date | number): string {
  const t = new Date(instant);
  const midnight = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());
  switch (period) {
    case "day":
      return utcDate(midnight);
    case "week": {
      // getUTCDay: Sunday 0 … Saturday 6; ISO weeks start on Monday.
      const sinceMonday = (t.getUTCDay() + 6) % 7;
      return utcDate(midnight - sinceMonday * DAY_MS);
    }
    case "month":
      return utcDate(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1));
  }
}

/** The instants a bucket covers. `date` must be a bucket start of that period. */
export function periodRange(period: TimePeriod, date: string): PeriodRange {
  const start = parseDate(date);
  if (periodStart(period, start) !== date) throw new RangeError(`${date} does not start a ${period}`);
  switch (period) {
    case "day":
      return { start, end: new Date(start.getTime() + DAY_MS) };
    case "week":
      return { start, end: new Date(start.getTime() + 7 * DAY_MS) };
    case "month":
      return { start, end: new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)) };
  }
}

/** The bucket after `date`. */
export function nextPeriod(period: TimePeriod, date: string): string {
  return utcDate(periodRange(period, date).end);
}

/** Every bucket start from the bucket holding `from` to the one holding `to`, both included. */
export function enumeratePeriods(period: TimePeriod, from: Date | number, to: Date | number): string[] {
  const out: string[] = [];
  const last = periodStart(period, to);
  for (let d = periodStart(period, from); d <= last; d = nextPeriod(period, d)) out.push(d);
  return out;
}

/** The (period, date) buckets that rows at these instants belong to, deduplicated, in all three periods. */
export function periodsTouched(instants: Iterable<Date | number>): PeriodKey[] {
  const seen = new Set<string>();
  const out: PeriodKey[] = [];
  for (const instant of instants) {
    for (const period of TIME_PERIODS) {
      const date = periodStart(period, instant);
      const key = `${period}:${date}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ period, date });
    }
  }
  return out.sort((a, b) => a.date.localeCompare(b.date) || a.period.localeCompare(b.period));
}

/** ISO 8601 week-numbering year and week of a date (Monday-based; week 1 holds the year's first Thursday). */
export function isoWeek(instant: Date | number): { year: number; week: number } {
  const monday = parseDate(periodStart("week", instant));
  const thursday = new Date(monday.getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { year, week };
}
