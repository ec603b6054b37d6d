import { ADMIN_TOKEN, TestApp, bearer, openAccount, startTestApp } from './support/test-app';

describe('accounts over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('opens an account with the admin token and shows its tokens once', async () => {
    const res = await t.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({ name: 'Acme' }).expect(201);
    expect(res.body).toMatchObject({ object: 'account', name: 'Acme', default_processor_id: null, default_processor_route_id: null });
    expect(res.body.id).toMatch(/^acc_stg_[A-Za-z0-9]+$/);
    expect(res.body.secret_token).toMatch(/^st_stg_[A-Za-z0-9]{32}$/);
    expect(res.body.publishable_token).toMatch(/^pt_stg_[A-Za-z0-9]{32}$/);
    expect(new Date(res.body.created_at).toISOString()).toBe(res.body.created_at);

    const again = await t.http().get(`/v1/accounts/${res.body.id}`).set(bearer(res.body.secret_token)).expect(200);
    expect(again.body).toEqual({
      id: res.body.id,
      object: 'account',
      name: 'Acme',
      default_processor_id: null,
      default_processor_route_id: null,
      created_at: res.body.created_at,
    });
  });

  it('never keeps the one-time tokens for an idempotent replay', async () => {
    const send = () => t.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).set('Idempotency-Key', 'open-once').send({ name: 'Once' });
    const first = await send().expect(201);
    const retry = await send().expect(409);
    expect(retry.body.detail).toMatch(/one-time secrets/);
    expect(JSON.stringify(retry.body)).not.toContain(first.body.secret_token);
    const list = await t.http().get('/v1/accounts?limit=100').set(bearer(ADMIN_TOKEN)).expect(200);
    expect(list.body.items.filter((a: { name: string }) => a.name === 'Once')).toHaveLength(1);
  });

  it('answers 401 without a token and with an unknown one', async () => {
    await t.http().post('/v1/accounts').send({ name: 'x' }).expect(401);
    const res = await t.http().get('/v1/accounts/acc_stg_x').set(bearer('st_stg_0000000000000000000000000000000')).expect(401);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('keeps account creation for the admin token', async () => {
    const account = await openAccount(t);
    await t.http().post('/v1/accounts').set(bearer(account.secret)).send({ name: 'x' }).expect(403);
    await t.http().post('/v1/accounts').set(bearer(account.publishable)).send({ name: 'x' }).expect(403);
  });

  it("answers 404 for another account's id and 403 for a publishable token", async () => {
    const mine = await openAccount(t, 'Mine');
    const theirs = await openAccount(t, 'Theirs');
    await t.http().get(`/v1/accounts/${theirs.id}`).set(bearer(mine.secret)).expect(404);
    await t.http().get('/v1/accounts/acc_stg_doesnotexist').set(bearer(mine.secret)).expect(404);
    await t.http().get(`/v1/accounts/${mine.id}`).set(bearer(mine.publishable)).expect(403);
    await t.http().get(`/v1/accounts/${mine.id}`).set(bearer(ADMIN_TOKEN)).expect(403);
  });

  it('lists accounts newest first for the admin token only', async () => {
    const older = await openAccount(t, 'Older');
    const newer = await openAccount(t, 'Newer');
    const res = await t.http().get('/v1/accounts?limit=2').set(bearer(ADMIN_TOKEN)).expect(200);
    expect(res.body.items.map((a: { id: string }) => a.id)).toEqual([newer.id, older.id]);
    expect(res.body.items[0]).toEqual({ id: newer.id, object: 'account', name: 'Newer', default_processor_id: null, default_processor_route_id: null, created_at: expect.any(String) });
    expect(res.body.has_more).toBe(res.body.total > 2);
    expect(JSON.stringify(res.body)).not.toMatch(/st_stg_|pt_stg_/);
    await t.http().get('/v1/accounts').set(bearer(newer.secret)).expect(403);
  });

  it('refuses an account without a name', async () => {
    const res = await t.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({}).expect(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name' })]));
  });

  it('sets and clears the default processor, refusing one of another account', async () => {
    const account = await openAccount(t);
    const other = await openAccount(t);
    const first = await t.http().post('/v1/processors').set(bearer(account.secret)).send({ name: 'A', connector: 'simulator' }).expect(201);
    const second = await t.http().post('/v1/processors').set(bearer(account.secret)).send({ name: 'B', connector: 'simulator' }).expect(201);
    const foreign = await t.http().post('/v1/processors').set(bearer(other.secret)).send({ name: 'C', connector: 'simulator' }).expect(201);

    const url = `/v1/accounts/${account.id}`;
    expect((await t.http().get(url).set(bearer(account.secret)).expect(200)).body.default_processor_id).toBe(first.body.id);
    expect((await t.http().patch(url).set(bearer(account.secret)).send({ default_processor_id: second.body.id }).expect(200)).body.default_processor_id).toBe(second.body.id);
    const refused = await t.http().patch(url).set(bearer(account.secret)).send({ default_processor_id: foreign.body.id }).expect(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'default_processor_id' })]);
    expect((await t.http().get(url).set(bearer(account.secret)).expect(200)).body.default_processor_id).toBe(second.body.id);
    expect((await t.http().patch(url).set(bearer(account.secret)).send({ default_processor_id: null }).expect(200)).body.default_processor_id).toBeNull();
  });

  it('refuses a default route that does not exist', async () => {
    const account = await openAccount(t);
    await t.http().patch(`/v1/accounts/${account.id}`).set(bearer(account.secret)).send({ default_processor_route_id: 'proute_stg_nope' }).expect(422);
  });
});
