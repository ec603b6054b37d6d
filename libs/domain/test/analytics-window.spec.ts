import { DomainError, analyticsWindow, hourOf, hourStart } from '@payments/domain';

const NOW = new Date('2026-11-21T10:30:00.000Z');
const hours = (window: { fromHour: number; toHour: number }) => [hourStart(window.fromHour), hourStart(window.toHour)];

function refusal(query: { from?: string; to?: string }): DomainError {
  try {
    analyticsWindow(query, NOW);
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('the window was accepted');
}

describe('analytics window', () => {
  it('defaults to the current hour and the 23 before it', () => {
    expect(hours(analyticsWindow({}, NOW))).toEqual(['2026-11-20T11:00:00.000Z', '2026-11-21T11:00:00.000Z']);
  });

  it('takes in the whole hour that a from or a to falls inside', () => {
    expect(hours(analyticsWindow({ from: '2026-11-21T08:15:00Z', to: '2026-11-21T09:00:01Z' }, NOW))).toEqual(['2026-11-21T08:00:00.000Z', '2026-11-21T10:00:00.000Z']);
  });

  it('ends the window at a to on the hour', () => {
    expect(hours(analyticsWindow({ from: '2026-11-21T08:00:00Z', to: '2026-11-21T09:00:00Z' }, NOW))).toEqual(['2026-11-21T08:00:00.000Z', '2026-11-21T09:00:00.000Z']);
  });

  it('reads time zones and bare dates as UTC moments', () => {
    expect(hours(analyticsWindow({ from: '2026-11-21T10:00:00+02:00', to: '2026-11-22' }, NOW))).toEqual(['2026-11-21T08:00:00.000Z', '2026-11-22T00:00:00.000Z']);
  });

  it('fills in a missing from as 24 hours before to, and a missing to as the end of the current hour', () => {
    expect(hours(analyticsWindow({ to: '2026-11-10T00:00:00Z' }, NOW))).toEqual(['2026-11-09T00:00:00.000Z', '2026-11-10T00:00:00.000Z']);
    expect(hours(analyticsWindow({ from: '2026-11-21T00:00:00Z' }, NOW))).toEqual(['2026-11-21T00:00:00.000Z', '2026-11-21T11:00:00.000Z']);
  });

  it.each([['yesterday'], ['2026-11-21T10:00:00'], ['2026-02-30T00:00:00Z'], ['2026-11-21T24:00:00Z'], ['1700000000000'], ['']])('refuses %j as malformed (400), quoting no value', (from) => {
    const error = refusal({ from });

    expect(error).toMatchObject({ kind: 'malformed', errors: [{ field: 'from', message: expect.stringContaining('ISO 8601') }] });
    if (from !== '') expect(JSON.stringify(error.errors)).not.toContain(from);
  });

  it('refuses a from that is not before to once both are whole hours', () => {
    expect(refusal({ from: '2026-11-21T09:10:00Z', to: '2026-11-21T09:00:00Z' })).toMatchObject({ kind: 'malformed', errors: [{ field: 'from' }] });
    expect(hours(analyticsWindow({ from: '2026-11-21T09:10:00Z', to: '2026-11-21T09:20:00Z' }, NOW))).toEqual(['2026-11-21T09:00:00.000Z', '2026-11-21T10:00:00.000Z']);
  });

  it('takes up to 31 days and refuses more', () => {
    expect(analyticsWindow({ from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' }, NOW).toHour - hourOf('2026-10-01T00:00:00Z')).toBe(31 * 24);
    expect(refusal({ from: '2026-10-01T00:00:00Z', to: '2026-11-01T01:00:00Z' })).toMatchObject({ kind: 'malformed', errors: [{ field: 'to' }] });
  });
});
