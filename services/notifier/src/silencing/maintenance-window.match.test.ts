import { describe, expect, it } from 'vitest';
import { isInsideWindow } from './maintenance-window.match.js';

describe('isInsideWindow', () => {
  const weekdaysNight = { weekdays: [1, 2, 3, 4, 5], startTime: '22:00', endTime: '06:00', timeZone: 'Europe/Berlin' };

  it('reads the range in the window’s time zone', () => {
    const office = { weekdays: [1, 2, 3, 4, 5], startTime: '09:00', endTime: '17:00', timeZone: 'America/New_York' };
    // Tuesday 2026-12-01 15:00 UTC is 10:00 in New York (EST), 16:00 in Berlin.
    expect(isInsideWindow(office, new Date('2026-12-01T15:00:00Z'))).toBe(true);
    expect(isInsideWindow(office, new Date('2026-12-01T13:00:00Z'))).toBe(false);
    expect(isInsideWindow(office, new Date('2026-12-05T15:00:00Z'))).toBe(false); // Saturday
  });

  it('lets a range that crosses midnight belong to the weekday it starts on', () => {
    // Friday 2026-12-04 23:30 Berlin = 22:30 UTC; Saturday 03:00 Berlin = 02:00 UTC; Monday 03:00 Berlin.
    expect(isInsideWindow(weekdaysNight, new Date('2026-12-04T22:30:00Z'))).toBe(true);
    expect(isInsideWindow(weekdaysNight, new Date('2026-12-05T02:00:00Z'))).toBe(true);
    expect(isInsideWindow(weekdaysNight, new Date('2026-12-07T02:00:00Z'))).toBe(false); // Sunday night into Monday
    expect(isInsideWindow(weekdaysNight, new Date('2026-12-05T06:30:00Z'))).toBe(false);
  });
});
