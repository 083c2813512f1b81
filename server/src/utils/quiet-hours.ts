/**
 * Quiet hours in the town's time zone, without a date library: Intl gives the wall-clock
 * time in any zone, and the end of the quiet period is found by stepping minutes forward,
 * which stays right across daylight-saving changes.
 */
export interface QuietHours {
  enabled: boolean;
  start: string;
  end: string;
  timeZone: string;
}

function minutesOfDay(date: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(date);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function isQuiet(quiet: QuietHours, at: Date): boolean {
  if (!quiet.enabled) return false;
  const now = minutesOfDay(at, quiet.timeZone);
  const start = toMinutes(quiet.start);
  const end = toMinutes(quiet.end);
  return start <= end ? now >= start && now < end : now >= start || now < end;
}

/** The first moment at or after `at` that is outside quiet hours. */
export function quietHoursEnd(quiet: QuietHours, at: Date): Date {
  let probe = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  for (let step = 0; step < 48 * 60 && isQuiet(quiet, probe); step += 1) {
    probe = new Date(probe.getTime() + 60_000);
  }
  return probe;
}
