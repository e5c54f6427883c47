/**
 * Hour, weekday and holiday of a moment in the owning team's time zone. Off-hours and holidays
 * matter because out-of-process changes cluster there (pages at night, quiet weekend fixes).
 *
 * Holidays: a deliberately small list of dates that are public holidays across most regions
 * DriftGuard's users work in (1 Jan, 1 May, 24–26 Dec, 31 Dec) plus US Independence Day and
 * Thanksgiving (fourth Thursday of November). A per-organization calendar can replace it later;
 * the feature only needs "a day when few people are meant to be changing production".
 */
const FIXED_HOLIDAYS = new Set(['01-01', '05-01', '07-04', '12-24', '12-25', '12-26', '12-31']);

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalTime {
  /** 0–23 */
  hour: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  holiday: boolean;
}

/** The local hour, weekday and holiday flag of `at` in `timeZone` (an unknown zone falls back to UTC). */
export function localTime(at: Date, timeZone = 'UTC'): LocalTime {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = formatter(timeZone).formatToParts(at);
  } catch {
    parts = formatter('UTC').formatToParts(at);
  }
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const month = Number(get('month'));
  const day = Number(get('day'));
  const weekday = WEEKDAYS.indexOf(get('weekday'));
  const thanksgiving = month === 11 && weekday === 4 && day >= 22 && day <= 28;
  return {
    hour: Number(get('hour')) % 24,
    weekday,
    holiday: thanksgiving || FIXED_HOLIDAYS.has(`${get('month')}-${get('day')}`),
  };
}
