/**
 * Child process of sqlite-idempotency-store.int-spec.ts. Opens the sqlite idempotency store in
 * the given data directory, prints "ready", and once a start time (epoch ms) arrives on stdin
 * claims the keys `key-0` .. `key-<count - 1>` of the given scope with its pid as the fingerprint,
 * `key-i` at the start time plus i steps, so that two such processes ask for each key together.
 * Prints one JSON line: {"claimed": [<keys it got>], "running": [<fingerprints it found on the others>]}.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ClaimOutcome } from '../idempotency-store';
import { SqliteIdempotencyStore } from '../sqlite-idempotency-store';

const STEP_MS = 4;

async function claimAll(dataDir: string, count: number, scope: string): Promise<void> {
  const store = new SqliteIdempotencyStore(dataDir);
  // The writer thread starts with the first write, and takes a while to: start it before the race.
  await store.claim(`warm-up:${process.pid}`, 'key', 'f', 60_000);
  process.stdout.write('ready\n');
  const start = Number(await new Promise<string>((resolve) => process.stdin.once('data', (line) => resolve(String(line)))));
  const keys = Array.from({ length: count }, (_, i) => `key-${i}`);
  const outcomes: ClaimOutcome[] = [];
  for (const [i, key] of keys.entries()) {
    await sleep(start + i * STEP_MS - Date.now());
    outcomes.push(await store.claim(scope, key, String(process.pid), 60_000));
  }
  await store.close();
  const claimed = keys.filter((_, i) => outcomes[i].state === 'claimed');
  const running = outcomes.flatMap((outcome) => (outcome.state === 'running' ? [outcome.fingerprint] : []));
  process.stdout.write(`${JSON.stringify({ claimed, running })}\n`);
  process.stdin.destroy();
}

claimAll(process.argv[2], Number(process.argv[3]), process.argv[4]).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
