import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { ApiRequest } from '../apps/api/src/http/api-request';
import { IDEMPOTENCY_STORE, IdempotencyStore } from '../apps/api/src/http/idempotency/idempotency-store';
import { idempotencyScope, requestFingerprint } from '../apps/api/src/http/idempotency/idempotency.interceptor';
import { ADMIN_TOKEN, TestAccount, TestApp, bearer, openAccount, startTestApp } from './support/test-app';
import { SETTINGS, Settings, cardFingerprintKey } from '@payments/orchestration';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TYPES = 'https://docs.payments.example/errors/';
const PROBLEM_KEYS = ['detail', 'instance', 'request_id', 'status', 'title', 'type'];

async function deleteKeys(prefix: string): Promise<void> {
  const raw = new Redis(REDIS_URL);
  for await (const batch of raw.scanStream({ match: `${prefix}*`, count: 500 })) {
    if ((batch as string[]).length > 0) await raw.unlink(...(batch as string[]));
  }
  await raw.quit();
}

describe.each([
  ['in-process rate limits and SQLite idempotency records', false],
  ['Redis rate limits and idempotency records', true],
])('HTTP conventions with %s', (_, useRedis) => {
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  /** Settings of one app: on Redis, under a key prefix of this run alone. */
  const env = (extra: Record<string, string> = {}, subPrefix = ''): Record<string, string> =>
    useRedis ? { REDIS_URL, REDIS_KEY_PREFIX: prefix + subPrefix, ...extra } : extra;

  let t: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    t = await startTestApp(env());
    account = await openAccount(t);
  });
  afterAll(async () => {
    await t?.close();
    if (useRedis) await deleteKeys(prefix);
  });

  describe('authentication', () => {
    it('answers 401 with a Bearer challenge when the token is missing', async () => {
      const res = await t.http().get(`/v1/accounts/${account.id}`).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body.type).toBe(`${TYPES}unauthorized`);
    });

    it('answers 401 to an unknown token and to a malformed Authorization header', async () => {
      const unknown = await t.http().get(`/v1/accounts/${account.id}`).set(bearer('st_stg_unknownunknownunknown')).expect(401);
      expect(unknown.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      await t.http().get(`/v1/accounts/${account.id}`).set('Authorization', `Basic ${account.secret}`).expect(401);
    });

    it("answers 403 to a token kind the route does not take", async () => {
      const publishable = await t.http().get(`/v1/accounts/${account.id}`).set(bearer(account.publishable)).expect(403);
      expect(publishable.body.type).toBe(`${TYPES}forbidden`);
      await t.http().post('/v1/accounts').set(bearer(account.secret)).send({ name: 'x' }).expect(403);
      await t.http().get('/v1/processors').set(bearer(ADMIN_TOKEN)).expect(403);
    });

    it('lets public routes through without a token', async () => {
      await t.http().get('/health').expect(200);
    });
  });

  describe('request ids', () => {
    it("echoes the caller's X-Request-Id, in the header and in the problem", async () => {
      const res = await t.http().get('/v1/processors').set('X-Request-Id', 'shop-42.retry:1_A').expect(401);
      expect(res.headers['x-request-id']).toBe('shop-42.retry:1_A');
      expect(res.body.request_id).toBe('shop-42.retry:1_A');
    });

    it('generates a req_ id when the caller sends none, equal to the problem request_id', async () => {
      const res = await t.http().get('/v1/processors').expect(401);
      expect(res.headers['x-request-id']).toMatch(/^req_[A-Za-z0-9]{20,}$/);
      expect(res.body.request_id).toBe(res.headers['x-request-id']);
    });

    it.each([
      ['with a space', 'two words'],
      ['too long', 'x'.repeat(201)],
      ['with a newline escape', 'a%0d%0aSet-Cookie:x'],
    ])('replaces an X-Request-Id %s with its own', async (_, offered) => {
      const res = await t.http().get('/health').set('X-Request-Id', offered).expect(200);
      expect(res.headers['x-request-id']).toMatch(/^req_/);
    });

    it('gives successful responses an id too', async () => {
      const res = await t.http().get(`/v1/accounts/${account.id}`).set(bearer(account.secret)).expect(200);
      expect(res.headers['x-request-id']).toMatch(/^req_/);
    });
  });

  describe('problem details', () => {
    it('answers errors as application/problem+json with type, title, status, detail, instance and request_id', async () => {
      const res = await t.http().get('/v1/accounts/acc_stg_nobody?expand=x').set(bearer(account.secret)).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Object.keys(res.body).sort()).toEqual(PROBLEM_KEYS);
      expect(res.body).toMatchObject({ type: `${TYPES}not-found`, title: 'Not found', status: 404, instance: '/v1/accounts/acc_stg_nobody' });
      expect(typeof res.body.detail).toBe('string');
    });

    it('answers 404 problem details for an unknown route', async () => {
      const res = await t.http().post('/v1/nowhere').send({}).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ type: `${TYPES}not-found`, instance: '/v1/nowhere' });
    });

    it('answers 400 to malformed JSON', async () => {
      const res = await t.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).set('Content-Type', 'application/json').send('{"name": ').expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ type: `${TYPES}bad-request`, status: 400, instance: '/v1/accounts' });
    });

    it('never quotes a malformed body back, since it may hold a card number', async () => {
      const res = await t.http().post('/v1/checkout/sessions/cs_stg_x/pay').set(bearer(account.secret)).set('Content-Type', 'application/json').send('z"4242424242424242"').expect(400);
      expect(res.body.detail).toMatch(/^The request body is not valid JSON/);
      expect(res.text).not.toContain('4242');
    });

    it('answers 413 to a body over 1 MB', async () => {
      const res = await t.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({ name: 'x'.repeat(1_100_000) }).expect(413);
      expect(res.body.type).toBe(`${TYPES}payload-too-large`);
    });

    it('answers 400 naming an unknown property', async () => {
      const res = await t.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({ name: 'Acme', colour: 'red' }).expect(400);
      expect(res.body.errors).toEqual([{ field: 'colour', message: 'property colour should not exist' }]);
    });

    it('answers 422 with field errors when a well-typed value breaks a rule', async () => {
      const res = await t.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({ name: '' }).expect(422);
      expect(res.body).toMatchObject({ type: `${TYPES}validation`, errors: [{ field: 'name', message: expect.any(String) }] });
    });
  });

  describe('bodies', () => {
    // API.md: JSON bodies; only checkout sessions also take forms (their bracket keys are tested with sessions).
    it('answers 415 to a form body where the contract takes JSON only', async () => {
      const res = await t
        .http()
        .post('/v1/processors')
        .set(bearer(account.secret))
        .type('form')
        .send('name=Form+US&connector=simulator&supported_currencies[0]=USD&supported_currencies[1]=EUR')
        .expect(415);
      expect(res.body).toMatchObject({ status: 415, type: 'https://docs.payments.example/errors/unsupported-media-type' });
    });
  });

  describe('pagination', () => {
    it('answers a page as {items, total, has_more}', async () => {
      const res = await t.http().get('/v1/processors?limit=1&offset=0').set(bearer(account.secret)).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['has_more', 'items', 'total']);
      expect(res.body.items.length).toBeLessThanOrEqual(1);
    });

    it.each(['limit=0', 'limit=101', 'limit=-1', 'limit=abc', 'limit=1.5', 'offset=-1', 'offset=x', 'limit=1&limit=2'])(
      'answers 400 to %s',
      async (query) => {
        const res = await t.http().get(`/v1/processors?${query}`).set(bearer(account.secret)).expect(400);
        expect(res.body.errors?.[0]?.field).toMatch(/^(limit|offset)$/);
      },
    );
  });

  describe('idempotency', () => {
    const create = (key: string, body: object, token = ADMIN_TOKEN) =>
      t.http().post('/v1/accounts').set(bearer(token)).set('Idempotency-Key', key).send(body);

    // Account creation answers with one-time tokens, which are never kept for replay
    // (test/accounts.e2e-spec.ts); processors show replay of an ordinary response.
    const connect = (key: string, body: object) => t.http().post('/v1/processors').set(bearer(account.secret)).set('Idempotency-Key', key).send(body);

    it('replays the first response byte for byte, with its status and content type', async () => {
      const first = await connect('connect-acme-1', { name: 'Acme', connector: 'simulator' }).expect(201);
      const replay = await connect('connect-acme-1', { name: 'Acme', connector: 'simulator' }).expect(201);
      expect(replay.text).toBe(first.text);
      expect(replay.headers['content-type']).toBe(first.headers['content-type']);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
      const list = await t.http().get('/v1/processors?limit=100').set(bearer(account.secret)).expect(200);
      expect(list.body.items.filter((p: { name: string }) => p.name === 'Acme')).toHaveLength(1);
    });

    it('answers 422 to the same key with a different body', async () => {
      await create('create-acme-2', { name: 'Acme' }).expect(201);
      const res = await create('create-acme-2', { name: 'Other' }).expect(422);
      expect(res.body.type).toBe(`${TYPES}idempotency-key-reused`);
    });

    it('answers 409 while a request with the key is still running elsewhere, and runs it once that one gave up', async () => {
      const body = { name: 'Held', connector: 'simulator' };
      const held = { method: 'POST', originalUrl: '/v1/processors', body, principal: { kind: 'secret', accountId: account.id, tokenId: 'x' } } as ApiRequest;
      // Another request (here or in another process) has claimed the key and not finished.
      const store = t.app.get<IdempotencyStore>(IDEMPOTENCY_STORE);
      const outcome = await store.claim(idempotencyScope(held), 'held-key', requestFingerprint(held, cardFingerprintKey(t.app.get<Settings>(SETTINGS))), 60_000);
      if (outcome.state !== 'claimed') throw new Error('the key should be free');

      const res = await t.http().post('/v1/processors').set(bearer(account.secret)).set('Idempotency-Key', 'held-key').send(body).expect(409);
      expect(res.body.type).toBe(`${TYPES}idempotency-key-in-use`);

      await store.release(outcome.claim);
      await t.http().post('/v1/processors').set(bearer(account.secret)).set('Idempotency-Key', 'held-key').send(body).expect(201);
    });

    it('does not store a validation failure, so the corrected request runs with the same key', async () => {
      await create('create-fixed', { name: '' }).expect(422);
      await create('create-fixed', { name: 7 }).expect(400);
      const fixed = await create('create-fixed', { name: 'Fixed' }).expect(201);
      expect(fixed.headers['idempotent-replayed']).toBeUndefined();
    });

    it('keeps keys apart per account', async () => {
      const other = await openAccount(t, 'Other');
      const body = { name: 'Same key', connector: 'simulator' };
      const mine = await t.http().post('/v1/processors').set(bearer(account.secret)).set('Idempotency-Key', 'per-account').send(body).expect(201);
      const theirs = await t.http().post('/v1/processors').set(bearer(other.secret)).set('Idempotency-Key', 'per-account').send(body).expect(201);
      expect(theirs.body.id).not.toBe(mine.body.id);
    });

    it('answers 400 to a key longer than 255 characters', async () => {
      await create('k'.repeat(256), { name: 'Acme' }).expect(400);
    });
  });

  describe('rate limits', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await startTestApp(env({ RATE_LIMIT_PER_SECOND: '2' }, 'limited:'));
      // Listening up front lets supertest send overlapping requests.
      await limited.app.listen(0, '127.0.0.1');
    });
    afterAll(() => limited?.close());

    it('answers 429 with Retry-After once a token exceeds its requests per second', async () => {
      const burst = () => Promise.all(Array.from({ length: 6 }, () => limited.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({})));
      // Six requests at once fit into two one-second windows only if they spread over a second; retry such a burst.
      let limitedResponse;
      for (let i = 0; i < 5 && !limitedResponse; i++) limitedResponse = (await burst()).find((res) => res.status === 429);
      expect(limitedResponse?.headers['retry-after']).toBe('1');
      expect(limitedResponse?.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(limitedResponse?.body.type).toBe(`${TYPES}rate-limited`);
    });

    it('does not count requests with unknown tokens', async () => {
      for (let i = 0; i < 5; i++) {
        await limited.http().get('/v1/processors').set(bearer('st_stg_unknownunknownunknown')).expect(401);
      }
    });
  });
});

describe('HTTP conventions with Redis down', () => {
  it('answers 503 when a request needs Redis and cannot reach it', async () => {
    // Port 1 refuses connections: the rate limiter, the first thing to use Redis, fails.
    const t = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_KEY_PREFIX: 'test:down:' });
    try {
      const res = await t.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({ name: 'x' }).expect(503);
      expect(res.body).toMatchObject({ type: `${TYPES}unavailable`, status: 503 });
    } finally {
      await t.close();
    }
  });
});
