import { DeadlineExceededError, NotLeaderError, UnavailableError } from '@eventstore/db-client';
import { WRITER_STOPPED } from '@payments/event-store';

/** Socket errors of a dependency that is down or unreachable, whichever client raised them. */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE']);

/**
 * SQLite answers the first two when another writer holds the file past the busy timeout, and the
 * store the last when its writer thread died under a write (the next write starts another): a retry can succeed.
 */
const SQLITE_BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', WRITER_STOPPED]);

/**
 * SQLite's codes (with their extended forms, SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED...) for
 * a disk that is full, read-only or failing: the write rolled back, and succeeds again once the
 * operator gives the disk room or makes it writable.
 */
const SQLITE_DISK_CODE = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN)(_|$)/;

/**
 * Whether an error means a dependency (event store, Redis) is down rather than a bug: such
 * errors answer 503 so that clients retry. ioredis does not export its error classes, so its
 * errors are recognised by name and message.
 */
export function isDependencyDown(error: unknown): boolean {
  if (error instanceof UnavailableError || error instanceof DeadlineExceededError || error instanceof NotLeaderError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_ERROR_CODES.has(code) || SQLITE_BUSY_CODES.has(code) || SQLITE_DISK_CODE.test(code))) return true;
  return error.name === 'MaxRetriesPerRequestError' || error.message === 'Connection is closed.';
}
