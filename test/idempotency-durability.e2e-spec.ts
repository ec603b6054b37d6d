import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { TestAccount, TestApp, bearer, openAccount, startTestApp } from './support/test-app';
import { TestDatabase, createTestDatabase, describeWithPostgres, openTestPool } from './support/test-postgres';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The README's idempotent request: connect a processor of your own. */
const ACME_EU = {
  name: 'Acme EU',
  connector: 'simulator',
  supported_currencies: ['EUR'],
  supported_networks: ['visa', 'mastercard'],
  fees: { percent: 2.9, fixed: 30 },
  simulator: { outcome: 'decline', decline_code: '51' },
};

async function deleteKeys(prefix: string): Promise<void> {
  const raw = new Redis(REDIS_URL);
  for await (const batch of raw.scanStream({ match: `${prefix}*`, count: 500 })) {
    if ((batch as string[]).length > 0) await raw.unlink(...(batch as string[]));
  }
  await raw.quit();
}

describe.each([
  ['in the embedded default (SQLite beside the events)', false],
  ['in Redis', true],
])('Idempotency-Key records kept %s', (_, useRedis) => {
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  // Both apps must see the same records: the same DATA_DIR, and on Redis the same key prefix.
  const env: Record<string, string> = useRedis ? { REDIS_URL, REDIS_KEY_PREFIX: prefix } : {};
  let dataDir: string;
  let t: TestApp | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'payments-idempotency-'));
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    rmSync(dataDir, { recursive: true, force: true });
    if (useRedis) await deleteKeys(prefix);
  });

  const connect = (app: TestApp, account: TestAccount) =>
    app.http().post('/v1/processors').set(bearer(account.secret)).set('Idempotency-Key', 'connect-acme-eu-1').send(ACME_EU);

  it('replays the stored response after a restart, byte for byte, and connects no second processor', async () => {
    t = await startTestApp(env, { dataDir });
    const account = await openAccount(t);
    const first = await connect(t, account).expect(201);
    await t.close();

    t = await startTestApp(env, { dataDir });
    const replay = await connect(t, account);

    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers['content-type']).toBe(first.headers['content-type']);
    expect(replay.text).toBe(first.text);
    const list = await t.http().get('/v1/processors?limit=100').set(bearer(account.secret)).expect(200);
    expect(list.body.items.filter((processor: { name: string }) => processor.name === 'Acme EU')).toEqual([
      expect.objectContaining({ id: first.body.id }),
    ]);
  });
});

describeWithPostgres('Idempotency-Key records kept in PostgreSQL (POSTGRES_URL without REDIS_URL)', () => {
  let database: TestDatabase;
  let dataDir: string;
  let t: TestApp | undefined;

  beforeEach(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'payments-idempotency-'));
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  });

  it('replays the stored response after a restart from the database every process shares, not from a file of its own', async () => {
    // A shared store wants the keys every process of the deployment shares.
    const env = { POSTGRES_URL: database.url, CARD_FINGERPRINT_SECRET: 'e2e-fingerprint-secret-0123', SECRETS_KEY: randomBytes(32).toString('base64') };
    t = await startTestApp(env, { dataDir });
    const account = await openAccount(t);
    const first = await t.http().post('/v1/processors').set(bearer(account.secret)).set('Idempotency-Key', 'connect-acme-eu-1').send(ACME_EU).expect(201);
    await t.close();

    t = await startTestApp(env, { dataDir });
    const replay = await t.http().post('/v1/processors').set(bearer(account.secret)).set('Idempotency-Key', 'connect-acme-eu-1').send(ACME_EU);

    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.text).toBe(first.text);
    expect(existsSync(join(dataDir, 'idempotency.db'))).toBe(false);
    const pool = openTestPool(database.url);
    try {
      const { rows } = await pool.query("SELECT state, key FROM idempotency_records WHERE key = 'connect-acme-eu-1'");
      expect(rows).toEqual([{ state: 'completed', key: 'connect-acme-eu-1' }]);
    } finally {
      await pool.end();
    }
  });
});
