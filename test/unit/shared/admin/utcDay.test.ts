import { lastUtcDays, toUtcDay } from '../../../../shared/admin/utcDay';

describe('UTC days', () => {
  it('are the UTC date of an instant, whatever the local zone', () => {
    expect(toUtcDay(Date.UTC(2025, 0, 31, 23, 59, 59))).toBe('2025-01-31');
    expect(toUtcDay(Date.UTC(2025, 1, 1, 0, 0, 0))).toBe('2025-02-01');
  });

  it('lists the last n days, oldest first, across a month and a leap day', () => {
    expect(lastUtcDays(Date.UTC(2024, 2, 1, 8), 3)).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(lastUtcDays(Date.UTC(2024, 2, 1, 8), 1)).toEqual(['2024-03-01']);
  });
});
