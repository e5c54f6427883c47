/** A recurring window: weekdays (0 = Sunday) and a `HH:MM` range in an IANA time zone. */
export interface RecurringWindow {
  weekdays: readonly number[];
  startTime: string;
  endTime: string;
  timeZone: string;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Weekday and minute of the day of `at` in `timeZone`. */
function localTime(at: Date, timeZone: string): { weekday: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { weekday: WEEKDAYS.indexOf(get('weekday')), minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

/**
 * Whether `at` falls in the window. A range whose end is not after its start spans midnight and
 * belongs to the weekday it starts on (Friday 22:00–06:00 covers Saturday 03:00).
 */
export function isInsideWindow(w: RecurringWindow, at: Date): boolean {
  const { weekday, minute } = localTime(at, w.timeZone);
  const start = minutesOf(w.startTime);
  const end = minutesOf(w.endTime);
  if (start < end) return w.weekdays.includes(weekday) && minute >= start && minute < end;
  const yesterday = (weekday + 6) % 7;
  return (w.weekdays.includes(weekday) && minute >= start) || (w.weekdays.includes(yesterday) && minute < end);
}
