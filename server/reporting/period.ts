// Reporting periods are whole UTC days, so a day's bucket means the same thing to every viewer and to the SQL.
export const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole UTC days from one "YYYY-MM-DD" to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Start (UTC midnight) of a period of `days` days that ends today. */
export function periodStart(days: number, now: Date = new Date()): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (days - 1) * DAY_MS);
}

/** "2026-11-21" for the UTC day of `date`. */
export function dayKey(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * One entry per day from `since` for `days` days, each with the values found for that day in `series` (keyed by
 * dayKey) and 0 where a day had nothing, so charts show gaps as zeros instead of skipping them.
 */
export function fillDays<K extends string>(
  since: Date,
  days: number,
  series: Record<K, Map<string, number>>,
): Array<{ day: string } & Record<K, number>> {
  return Array.from({ length: days }, (_, i) => {
    const day = dayKey(new Date(since.getTime() + i * DAY_MS));
    const entry = { day } as { day: string } & Record<K, number>;
    for (const name of Object.keys(series) as K[]) (entry as Record<K, number>)[name] = series[name].get(day) ?? 0;
    return entry;
  });
}

/**
 * The whole weeks (Monday to Monday, UTC) inside the days [from, to) (UTC midnights, in ms): a period's sums read
 * those weeks from a weekly rollup and the days outside them from the daily one — the same sums from far fewer rows.
 * No whole week inside: weeksFrom = weeksTo = to (every day is an edge day).
 */
export function wholeWeeks(from: number, to: number): { weeksFrom: number; weeksTo: number } {
  const monday = (t: number) => t - ((new Date(t).getUTCDay() + 6) % 7) * DAY_MS;
  const first = monday(from + 6 * DAY_MS); // the first Monday on or after `from`
  const last = monday(to); // whole weeks start before it and end by `to`
  return last > first ? { weeksFrom: first, weeksTo: last } : { weeksFrom: to, weeksTo: to };
}
