import { Pool, PoolClient } from 'pg';

/**
 * Runs `work` in one transaction on a client of its own from the pool: committed when it
 * resolves, rolled back when it throws (the error is rethrown). A client whose rollback fails
 * too has a broken connection: it is destroyed rather than handed to the next caller. `begin`
 * may set the isolation level (`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`). A connection
 * lost while the client is out (a restart, pg_terminate_backend) fails the query under way, and
 * pg also emits it as the client's 'error' event, which with no listener would end the process:
 * it is listened to here, and that client is destroyed too.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const lost = (error: Error) => (broken = error);
  client.on('error', lost);
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.removeListener('error', lost);
    client.release(broken);
  }
}
