import { TestAccount, TestApp, bearer, openAccount, startTestApp } from './support/test-app';

describe('processors over HTTP', () => {
  let t: TestApp;
  let account: TestAccount;
  beforeAll(async () => {
    t = await startTestApp();
  });
  beforeEach(async () => {
    account = await openAccount(t);
  });
  afterAll(() => t.close());

  const connect = (body: object, token = account.secret) => t.http().post('/v1/processors').set(bearer(token)).send(body);

  it('connects a processor with every field of the contract', async () => {
    const body = {
      name: 'Acme US',
      connector: 'simulator',
      supported_currencies: ['USD', 'EUR'],
      supported_networks: ['visa', 'mastercard'],
      fees: { percent: 2.9, fixed: 30 },
      status: 'active',
      timeout_ms: 5000,
      simulator: { outcome: 'decline', decline_code: '51', latency_ms: 10, approve_optimized_retry: false, charge_on_timeout: false, refund_outcome: 'fail', approval_rate: 0.75 },
    };
    const res = await connect(body).expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^proc_stg_[A-Za-z0-9]+$/),
      object: 'processor',
      ...body,
      http: null,
      connection_order: 1,
      created_at: expect.any(String),
      updated_at: res.body.created_at,
    });
    expect((await t.http().get(`/v1/processors/${res.body.id}`).set(bearer(account.secret)).expect(200)).body).toEqual(res.body);
  });

  it('fills the defaults of API.md', async () => {
    const res = await connect({ name: 'Plain', connector: 'simulator' }).expect(201);
    expect(res.body).toMatchObject({
      supported_currencies: [],
      supported_networks: [],
      fees: { percent: 0, fixed: 0 },
      status: 'active',
      timeout_ms: 5000,
      simulator: { outcome: 'approve', decline_code: '05', latency_ms: 0, approve_optimized_retry: false, charge_on_timeout: false, refund_outcome: 'succeed', approval_rate: null },
    });
  });

  it('makes the first connected processor the account default', async () => {
    const first = await connect({ name: 'First', connector: 'simulator' }).expect(201);
    await connect({ name: 'Second', connector: 'simulator' }).expect(201);
    const acc = await t.http().get(`/v1/accounts/${account.id}`).set(bearer(account.secret)).expect(200);
    expect(acc.body.default_processor_id).toBe(first.body.id);
  });

  it('never returns the signing secret of an http processor', async () => {
    const res = await connect({ name: 'Gateway', connector: 'http', http: { url: 'http://127.0.0.1:9/authorize', secret: 'whsec_0123456789abcdef' } }).expect(201);
    expect(res.body.http).toEqual({ url: 'http://127.0.0.1:9/authorize' });
    expect(res.body.simulator).toBeNull();
    expect(JSON.stringify(res.body)).not.toContain('whsec_0123456789abcdef');
  });

  it.each([
    ['an unknown connector', { name: 'x', connector: 'stripe' }, 400, 'connector'],
    ['a missing name', { connector: 'simulator' }, 400, 'name'],
    ['an unknown property', { name: 'x', connector: 'simulator', colour: 'red' }, 400, 'colour'],
    ['a timeout below 50 ms', { name: 'x', connector: 'simulator', timeout_ms: 10 }, 422, 'timeout_ms'],
    ['a timeout above 60 s', { name: 'x', connector: 'simulator', timeout_ms: 60001 }, 422, 'timeout_ms'],
    ['a lower-case currency', { name: 'x', connector: 'simulator', supported_currencies: ['usd'] }, 422, 'supported_currencies'],
    ['an unknown network', { name: 'x', connector: 'simulator', supported_networks: ['visa', 'bitcoin'] }, 400, 'supported_networks'],
    ['an http connector without its endpoint', { name: 'x', connector: 'http' }, 422, 'http'],
    ['simulator settings on an http connector', { name: 'x', connector: 'http', http: { url: 'https://p.example/a', secret: '0123456789abcdef' }, simulator: { outcome: 'approve' } }, 422, 'simulator'],
    ['charge_on_timeout with an outcome that answers', { name: 'x', connector: 'simulator', simulator: { outcome: 'approve', charge_on_timeout: true } }, 422, 'simulator.charge_on_timeout'],
    ['an approval_rate above 1', { name: 'x', connector: 'simulator', simulator: { approval_rate: 1.5 } }, 422, 'simulator.approval_rate'],
    ['an approval_rate that is not a number', { name: 'x', connector: 'simulator', simulator: { approval_rate: '0.5' } }, 400, 'simulator.approval_rate'],
    ['an unknown refund_outcome', { name: 'x', connector: 'simulator', simulator: { refund_outcome: 'maybe' } }, 400, 'simulator.refund_outcome'],
  ])('refuses %s', async (_, body, status, field) => {
    const res = await connect(body).expect(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: expect.stringContaining(field) })]));
    const list = await t.http().get('/v1/processors').set(bearer(account.secret)).expect(200);
    expect(list.body.total).toBe(0);
  });

  it('lists processors in connection order, page by page', async () => {
    const ids: string[] = [];
    for (const name of ['A', 'B', 'C', 'D', 'E']) ids.push((await connect({ name, connector: 'simulator' }).expect(201)).body.id);
    const page = await t.http().get('/v1/processors?limit=2&offset=1').set(bearer(account.secret)).expect(200);
    expect(page.body.items.map((p: { id: string }) => p.id)).toEqual(ids.slice(1, 3));
    expect(page.body.items.map((p: { connection_order: number }) => p.connection_order)).toEqual([2, 3]);
    expect(page.body).toMatchObject({ total: 5, has_more: true });
    const last = await t.http().get('/v1/processors?limit=2&offset=4').set(bearer(account.secret)).expect(200);
    expect(last.body).toMatchObject({ total: 5, has_more: false });
    expect(last.body.items).toHaveLength(1);
  });

  it('gives concurrent connections distinct connection orders', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => connect({ name: `P${i}`, connector: 'simulator' }).expect(201)));
    expect(results.map((r) => r.body.connection_order).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('rejects bad pagination', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'offset=-1', 'limit=1.5']) {
      await t.http().get(`/v1/processors?${query}`).set(bearer(account.secret)).expect(400);
    }
  });

  it("hides another account's processor", async () => {
    const other = await openAccount(t);
    const theirs = await connect({ name: 'Theirs', connector: 'simulator' }, other.secret).expect(201);
    await t.http().get(`/v1/processors/${theirs.body.id}`).set(bearer(account.secret)).expect(404);
    await t.http().patch(`/v1/processors/${theirs.body.id}`).set(bearer(account.secret)).send({ name: 'Mine now' }).expect(404);
    const list = await t.http().get('/v1/processors').set(bearer(account.secret)).expect(200);
    expect(list.body.items).toEqual([]);
  });

  it('changes any field but the connector', async () => {
    const created = await connect({ name: 'Acme', connector: 'simulator', simulator: { outcome: 'decline', decline_code: '51' } }).expect(201);
    const url = `/v1/processors/${created.body.id}`;
    const patched = await t.http().patch(url).set(bearer(account.secret)).send({ name: 'Acme EU', status: 'unavailable', simulator: { latency_ms: 25 } }).expect(200);
    expect(patched.body).toMatchObject({
      name: 'Acme EU',
      status: 'unavailable',
      connection_order: 1,
      simulator: { outcome: 'decline', decline_code: '51', latency_ms: 25, approve_optimized_retry: false },
    });
    expect((await t.http().get(url).set(bearer(account.secret)).expect(200)).body).toEqual(patched.body);
    await t.http().patch(url).set(bearer(account.secret)).send({ connector: 'http' }).expect(400);
    await t.http().patch(url).set(bearer(account.secret)).send({ timeout_ms: 5 }).expect(422);
    expect((await t.http().get(url).set(bearer(account.secret)).expect(200)).body.timeout_ms).toBe(5000);
  });

  it('records the simulator settings in the processor events and shows them back after a PATCH', async () => {
    const created = await connect({ name: 'Late', connector: 'simulator', simulator: { outcome: 'timeout', charge_on_timeout: true } }).expect(201);
    const url = `/v1/processors/${created.body.id}`;
    expect(created.body.simulator).toEqual({ outcome: 'timeout', decline_code: '05', latency_ms: 0, approve_optimized_retry: false, charge_on_timeout: true, refund_outcome: 'succeed', approval_rate: null });

    // The outcome cannot answer while the lost answer's charge is kept; both change together.
    await t.http().patch(url).set(bearer(account.secret)).send({ simulator: { outcome: 'approve' } }).expect(422);
    const patched = await t.http().patch(url).set(bearer(account.secret)).send({ simulator: { outcome: 'approve', charge_on_timeout: false, approval_rate: 0.5 } }).expect(200);
    expect(patched.body.simulator).toMatchObject({ outcome: 'approve', charge_on_timeout: false, approval_rate: 0.5 });
    const cleared = await t.http().patch(url).set(bearer(account.secret)).send({ simulator: { approval_rate: null, refund_outcome: 'fail' } }).expect(200);
    expect(cleared.body.simulator).toMatchObject({ approval_rate: null, refund_outcome: 'fail' });
    expect((await t.http().get(url).set(bearer(account.secret)).expect(200)).body).toEqual(cleared.body);

    const events = await t.http().get('/v1/events?type=ProcessorConnected,ProcessorUpdated&limit=100').set(bearer(account.secret)).expect(200);
    const mine = events.body.items.filter((event: { data: { processor_id: string } }) => event.data.processor_id === created.body.id);
    expect(mine.map((event: { type: string; data: { simulator?: object; changes?: { simulator?: object } } }) => [event.type, event.data.simulator ?? event.data.changes?.simulator])).toEqual([
      ['ProcessorConnected', created.body.simulator],
      ['ProcessorUpdated', patched.body.simulator],
      ['ProcessorUpdated', cleared.body.simulator],
    ]);
  });

  it('keeps processors away from publishable tokens', async () => {
    await t.http().get('/v1/processors').set(bearer(account.publishable)).expect(403);
    await connect({ name: 'x', connector: 'simulator' }, account.publishable).expect(403);
  });

  it('lists the card networks active processors take for a currency', async () => {
    const usd = await connect({ name: 'US', connector: 'simulator', supported_currencies: ['USD'], supported_networks: ['visa', 'amex'] }).expect(201);
    const any = await connect({ name: 'Any', connector: 'simulator', supported_networks: ['visa'] }).expect(201);
    await connect({ name: 'Down', connector: 'simulator', supported_networks: ['jcb'], status: 'unavailable' }).expect(201);
    await connect({ name: 'EU', connector: 'simulator', supported_currencies: ['EUR'], supported_networks: ['mastercard'] }).expect(201);
    const res = await t.http().get('/v1/payment-methods?currency=USD').set(bearer(account.secret)).expect(200);
    expect(res.body.methods).toEqual([
      { type: 'visa', processor_ids: [usd.body.id, any.body.id] },
      { type: 'amex', processor_ids: [usd.body.id] },
    ]);
    await t.http().get('/v1/payment-methods?currency=usd').set(bearer(account.secret)).expect(400);
  });
});
