/**
 * Calendar days in a named time zone, computed with Intl only. The database never sees a time
 * zone: statistics ask it for counts between instants, and this file says which instants a
 * day in the town begins and ends at. Days are 23 or 25 hours long at DST changes.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

function wallClock(at: Date, timeZone: string) {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(at).map((part) => [part.type, part.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** Milliseconds the zone is ahead of UTC at `at`. */
function offsetMs(at: Date, timeZone: string): number {
  const w = wallClock(at, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

const pad = (value: number, length = 2) => String(value).padStart(length, '0');

/** The calendar day (`YYYY-MM-DD`) that `at` falls on in `timeZone`. */
export function dayOf(at: Date, timeZone: string): string {
  const w = wallClock(at, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** `day` moved by `days` calendar days. */
export function addDays(day: string, days: number): string {
  const [year, month, date] = day.split('-').map(Number);
  const moved = new Date(Date.UTC(year, month - 1, date + days));
  return `${pad(moved.getUTCFullYear(), 4)}-${pad(moved.getUTCMonth() + 1)}-${pad(moved.getUTCDate())}`;
}

/**
 * The first instant of `day` in `timeZone`. Two refinements settle the offset on either side
 * of a DST change; a zone that skips midnight itself gets the first instant after the gap.
 */
export function startOfDay(day: string, timeZone: string): Date {
  const [year, month, date] = day.split('-').map(Number);
  const wallMidnight = Date.UTC(year, month - 1, date);
  let guess = wallMidnight - offsetMs(new Date(wallMidnight), timeZone);
  for (let i = 0; i < 2; i += 1) guess = wallMidnight - offsetMs(new Date(guess), timeZone);
  // In a zone that skips 00:00 the guess lands on the previous day; the gap's end is the start.
  while (dayOf(new Date(guess), timeZone) !== day) guess += 15 * 60_000;
  return new Date(guess);
}

/** Day starts for `count` consecutive days from `firstDay`, plus the end of the last one. */
export function dayBoundaries(firstDay: string, count: number, timeZone: string): Date[] {
  return Array.from({ length: count + 1 }, (_, i) => startOfDay(addDays(firstDay, i), timeZone));
}
