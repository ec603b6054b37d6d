import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { TestAccount, TestApp, bearer, openAccount, startTestApp } from './support/test-app';

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
