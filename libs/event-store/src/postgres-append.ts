import { ClientBase } from 'pg';
import { SerializedEvent, StoredEventRef, assertExpectedRevision, exactRevision, resultOfRetry, resultOfStoredIds } from './append-checks';
import { AppendResult, ExpectedRevision } from './event-store';
import { APPENDED_CHANNEL, POSITION_LOCK_SQL, RACE_CONSTRAINTS } from './postgres-event-store-schema';

/** A pool, or one client of it (inside a transaction of the caller's, as the gap test holds one open). */
export type Queryable = Pick<ClientBase, 'query'>;

/** Writers racing on one stream decide again; past this many rounds the append fails. */
const MAX_ATTEMPTS = 10;

/**
 * One append, decided and written in two statements: a read of the stream's current revision and
 * of the stored events the idempotency checks need (append-checks.ts: the port's retry promise
 * first, then the expected revision, then ids the stream holds already, as the sqlite adapter
 * decides), then, when the checks pass, the insert. The read runs outside the insert's transaction: UNIQUE (stream_id, revision) and
 * UNIQUE (stream_id, event_id) are the fence, so a writer that got in between makes the insert
 * fail (23505), and the append is decided again against what that writer left: a conflict
 * (WrongExpectedRevision with the actual revision), a repeat of the same batch (its result), or,
 * with 'any', the next revision.
 */
export async function appendEvents(db: Queryable, stream: string, events: readonly SerializedEvent[], expected: ExpectedRevision): Promise<AppendResult> {
  const batch = events.map((event) => ({ ...event, id: event.id.toLowerCase() }));
  for (let attempt = 1; ; attempt++) {
    const state = await streamState(db, stream, batch, expected);
    const retry = resultOfRetry(stream, batch, expected, state.currentRevision, state.storedFrom);
    if (retry) return retry;
    assertExpectedRevision(stream, expected, state.currentRevision);
    const repeated = resultOfStoredIds(stream, batch, expected, state.currentRevision, state.findStored);
    if (repeated) return repeated;
    try {
      return await insertEvents(db, stream, state.currentRevision, batch);
    } catch (error) {
      if (!lostRace(error) || attempt === MAX_ATTEMPTS) throw error;
    }
  }
}

interface StreamState {
  currentRevision: bigint;
  storedFrom(revision: bigint, count: number): StoredEventRef[];
  findStored(eventId: string): StoredEventRef | undefined;
}

/**
 * The stream's current revision (-1n when it does not exist) and, in the same statement, its
 * events that carry one of the batch's ids or sit where a retry of the batch would (revisions
 * r+1 .. r+n for an exact expected revision r): all that resultOfRetry and resultOfStoredIds ask.
 */
async function streamState(db: Queryable, stream: string, batch: readonly SerializedEvent[], expected: ExpectedRevision): Promise<StreamState> {
  const exact = exactRevision(expected);
  const { rows } = await db.query<{ current_revision: string; stored: Array<{ id: string; revision: string; position: string }> }>(
    `SELECT coalesce((SELECT max(revision) FROM events WHERE stream_id = $1), -1)::text AS current_revision,
            coalesce((SELECT json_agg(json_build_object('id', event_id, 'revision', revision::text, 'position', position::text) ORDER BY revision)
                        FROM events
                       WHERE stream_id = $1 AND (event_id = ANY($2::uuid[]) OR revision BETWEEN $3::bigint AND $4::bigint)), '[]') AS stored`,
    [stream, batch.map((event) => event.id), exact === undefined ? null : String(exact + 1n), exact === undefined ? null : String(exact + BigInt(batch.length))],
  );
  const stored = rows[0].stored.map((row): StoredEventRef => ({ id: row.id, revision: BigInt(row.revision), position: BigInt(row.position) }));
  return {
    currentRevision: BigInt(rows[0].current_revision),
    storedFrom: (revision, count) => stored.filter((ref) => ref.revision >= revision && ref.revision < revision + BigInt(count)),
    findStored: (eventId) => stored.find((ref) => ref.id === eventId),
  };
}

/**
 * The write, as one statement in a transaction of its own (or the caller's).
 *
 * The gap problem: a reader that resumes strictly after the last position it saw (readAll
 * pages, subscriptions, a projection's checkpoint) skips for good an event whose transaction
 * drew a lower position but committed after a higher one was visible. Positions are therefore
 * drawn in commit order: the statement first takes POSITION_LOCK_SQL, a transaction-scoped
 * advisory lock, and only then draws its positions (nextval runs per joined row, so after the
 * lock's CTE has produced its row); the lock is released only after the commit has made the
 * events visible (CommitTransaction in PostgreSQL's xact.c ends the transaction in the process
 * array, which is what snapshots consult, before it releases the transaction's locks). So
 * any snapshot that shows a position shows every lower one that will ever commit, and positions
 * stay the port's single bigint. Readers are then plain ordered reads, need no transaction ids,
 * and read their own writes.
 *
 * Rejected, the transaction-id horizon of Emmett and Marten (deliver only events whose xid8 is
 * below pg_snapshot_xmin(pg_current_snapshot())): an older xid may draw a higher position, so
 * ordering by position while filtering by xid delivers it while a younger transaction holding a
 * lower position is still in flight, and skips that one when it commits. Done right it needs an
 * (xid, position) checkpoint instead of the port's single position, or xids and positions drawn
 * in one order under a lock of their own released before the commit (a session lock, which a
 * failure between taking and releasing it would leave held); and the horizon is held back by any writing
 * transaction of the whole server, other databases' included. The cost of the lock is that
 * appends commit one at a time. The pg_notify below already makes PostgreSQL serialise the
 * commits of notifying transactions (a server-wide lock from pre-commit to the end of the
 * commit), and this statement holds the position lock from its insert to the end of its commit,
 * no client round trip in between: so it costs little on top. `npm run bench -- event-store
 * --store=postgres` measures it: here, with eight writers, the lock cost 0-15 % beside the
 * NOTIFY; without the NOTIFY the lock would cost three quarters of the throughput (it rules out
 * group commit), so whoever moves the NOTIFY out of the transaction should revisit this choice.
 */
async function insertEvents(db: Queryable, stream: string, currentRevision: bigint, batch: readonly SerializedEvent[]): Promise<AppendResult> {
  const { rows } = await db.query<{ position: string; revision: string }>(
    `WITH serialised AS (SELECT ${POSITION_LOCK_SQL}),
     appended AS (
       INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata)
       SELECT nextval('events_position_seq'), $1, $2::bigint + batch.ordinality, batch.event_id, batch.type, batch.data, batch.metadata
         FROM serialised
        CROSS JOIN unnest($3::uuid[], $4::text[], $5::json[], $6::json[]) WITH ORDINALITY AS batch (event_id, type, data, metadata, ordinality)
       RETURNING position, revision
     )
     SELECT max(position)::text AS position, max(revision)::text AS revision, pg_notify('${APPENDED_CHANNEL}', max(position)::text)
       FROM appended`,
    [
      stream,
      String(currentRevision),
      batch.map((event) => event.id),
      batch.map((event) => event.type),
      batch.map((event) => event.data),
      batch.map((event) => event.metadata),
    ],
  );
  return { nextRevision: BigInt(rows[0].revision), position: BigInt(rows[0].position) };
}

function lostRace(error: unknown): boolean {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '23505' && constraint !== undefined && RACE_CONSTRAINTS.has(constraint);
}
