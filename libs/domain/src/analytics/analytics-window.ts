import { FieldError, malformed } from '../shared/errors';

export const HOUR_MS = 3_600_000;
/** Hours of the default window. */
export const DEFAULT_WINDOW_HOURS = 24;
/** The longest window a query may cover: a month of hourly buckets. */
export const MAX_WINDOW_HOURS = 31 * 24;

/**
 * The whole hours an analytics query covers, as hours since the Unix epoch (UTC): from
 * `fromHour` included to `toHour` excluded. Analytics are counted in hourly buckets, so a query
 * can only take whole hours.
 */
export interface AnalyticsWindow {
  fromHour: number;
  toHour: number;
}

/** The hour (since the epoch, UTC) that a moment falls in. */
export function hourOf(moment: Date | string): number {
  const ms = typeof moment === 'string' ? Date.parse(moment) : moment.getTime();
  return Math.floor(ms / HOUR_MS);
}

export function hourStart(hour: number): string {
  return new Date(hour * HOUR_MS).toISOString();
}

/**
 * The window of `from`/`to` as a client gives them (ISO 8601 with a time zone, or a bare date,
 * which is midnight UTC). A `from` inside an hour takes that whole hour (it is rounded down to
 * the hour), and so does a `to` inside an hour (rounded up); a `to` on the hour ends the window
 * there. Without `to` the window ends with the current hour; without `from` it starts 24 hours
 * before its end. Malformed (400): a value that is not such a timestamp, `from` not before `to`,
 * or a window longer than 31 days.
 */
export function analyticsWindow(query: { from?: string; to?: string }, now: Date): AnalyticsWindow {
  const errors: FieldError[] = [];
  const from = query.from === undefined ? undefined : parseTimestamp('from', query.from, errors);
  const to = query.to === undefined ? undefined : parseTimestamp('to', query.to, errors);
  if (errors.length > 0) throw malformed('from and to must be ISO 8601 timestamps', errors);
  const toHour = to === undefined ? hourOf(now) + 1 : Math.ceil(to / HOUR_MS);
  const fromHour = from === undefined ? toHour - DEFAULT_WINDOW_HOURS : Math.floor(from / HOUR_MS);
  if (fromHour >= toHour) throw malformed('from must be before to', [{ field: 'from', message: 'must be before to (after rounding to whole hours)' }]);
  if (toHour - fromHour > MAX_WINDOW_HOURS) throw malformed('the window is too long', [{ field: 'to', message: `must be at most ${MAX_WINDOW_HOURS / 24} days after from` }]);
  return { fromHour, toHour };
}

/** Date, then optionally a time with a zone: `2026-11-21`, `2026-11-21T10:00Z`, `2026-11-21T10:30:00.000+02:00`. */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d))?$/;

/** Milliseconds since the epoch; a time without a zone is refused, since it would depend on the server's. */
function parseTimestamp(field: string, value: string, errors: FieldError[]): number | undefined {
  const match = TIMESTAMP.exec(value);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  // Date.parse rolls 2026-02-30 over into March instead of refusing it.
  const realDay = match !== null && month >= 1 && month <= 12 && new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
  const ms = realDay ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) {
    errors.push({ field, message: 'must be an ISO 8601 timestamp with a time zone, such as 2026-01-31T09:00:00Z, or a date' });
    return undefined;
  }
  return ms;
}
