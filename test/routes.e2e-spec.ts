import { PaymentShop, card } from './support/payment-shop';
import { ADMIN_TOKEN, TestAccount, TestApp, bearer, openAccount, startTestApp } from './support/test-app';

interface Harness {
  t: TestApp;
  account: TestAccount;
  /** Three simulated processors of the account, in connection order. */
  processors: [string, string, string];
}

async function openAccountWithProcessors(t: TestApp): Promise<Pick<Harness, 'account' | 'processors'>> {
  const account = await openAccount(t);
  const ids: string[] = [];
  for (const name of ['A', 'B', 'C']) {
    ids.push((await t.http().post('/v1/processors').set(bearer(account.secret)).send({ name, connector: 'simulator' }).expect(201)).body.id);
  }
  return { account, processors: ids as [string, string, string] };
}

function routesOf(h: Harness) {
  const token = () => bearer(h.account.secret);
  return {
    create: (body: object, secret = h.account.secret) => h.t.http().post('/v1/processor-routes').set(bearer(secret)).send(body),
    get: (id: string) => h.t.http().get(`/v1/processor-routes/${id}`).set(token()),
    list: (query = '') => h.t.http().get(`/v1/processor-routes${query}`).set(token()),
    patch: (id: string, body: object) => h.t.http().patch(`/v1/processor-routes/${id}`).set(token()).send(body),
    remove: (id: string) => h.t.http().delete(`/v1/processor-routes/${id}`).set(token()),
    setDefault: (routeId: string | null) => h.t.http().patch(`/v1/accounts/${h.account.id}`).set(token()).send({ default_processor_route_id: routeId }),
  };
}

describe.each([
  ['SQLite', {}],
  ['Redis', { redis: true }],
])('processor routes over HTTP, read models on %s', (_, options) => {
  const h = {} as Harness;
  beforeAll(async () => {
    h.t = await startTestApp({}, options);
    Object.assign(h, await openAccountWithProcessors(h.t));
  });
  afterAll(() => h.t.close());

  it('creates, reads, lists, changes and deletes a route', async () => {
    const routes = routesOf(h);
    const [a, b] = h.processors;
    const body = {
      name: 'US Optimized',
      processors: [{ processor_id: a }, { processor_id: b }],
      strategy: 'rule_based',
      rules: [{ conditions: [{ field: 'card_network', operator: 'equal', value: 'visa' }], processors: [{ processor_id: b }] }],
      failover: { on: ['decline', 'timeout', 'error'], decline_codes: ['05', '51'], max_attempts: 3 },
      optimized_retry: false,
    };

    const created = await routes.create(body).expect(201);

    expect(created.body).toEqual({
      id: expect.stringMatching(/^proute_stg_[A-Za-z0-9]+$/),
      object: 'processor_route',
      ...body,
      processors: [
        { processor_id: a, split: null },
        { processor_id: b, split: null },
      ],
      auth_rate: null,
      revision: 1,
      created_at: expect.any(String),
      updated_at: created.body.created_at,
    });
    const id = created.body.id;
    expect((await routes.get(id).expect(200)).body).toEqual({ ...created.body, references: { checkout_sessions: 0, account_default: false } });
    expect((await routes.list().expect(200)).body.items).toContainEqual(created.body);

    const patched = await routes.patch(id, { name: 'US Cheapest', strategy: 'cost_optimized', rules: [] }).expect(200);
    expect(patched.body).toMatchObject({ id, name: 'US Cheapest', strategy: 'cost_optimized', rules: [], revision: 2, created_at: created.body.created_at });
    expect((await routes.get(id).expect(200)).body).toEqual({ ...patched.body, references: { checkout_sessions: 0, account_default: false } });

    await routes.remove(id).expect(204);
    await routes.get(id).expect(404);
    expect((await routes.list().expect(200)).body.items.map((route: { id: string }) => route.id)).not.toContain(id);
  });
});

describe('processor routes over HTTP', () => {
  const h = {} as Harness;
  let routes: ReturnType<typeof routesOf>;
  beforeAll(async () => {
    h.t = await startTestApp();
  });
  beforeEach(async () => {
    Object.assign(h, await openAccountWithProcessors(h.t));
    routes = routesOf(h);
  });
  afterAll(() => h.t.close());

  const twoProcessors = () => [{ processor_id: h.processors[0] }, { processor_id: h.processors[1] }];
  const ruleBased = (conditions: object[], ruleProcessors = [{ processor_id: h.processors[1] }]) => ({
    name: 'r',
    processors: twoProcessors(),
    strategy: 'rule_based',
    rules: [{ conditions, processors: ruleProcessors }],
  });

  it('fills in the defaults of API.md when only name and processors are given', async () => {
    const res = await routes.create({ name: 'Plain', processors: [{ processor_id: h.processors[0] }] }).expect(201);

    expect(res.body).toMatchObject({
      processors: [{ processor_id: h.processors[0], split: null }],
      strategy: 'priority',
      rules: [],
      failover: { on: ['decline', 'timeout', 'error'], decline_codes: null, max_attempts: null },
      optimized_retry: false,
      auth_rate: null,
      revision: 1,
    });
  });

  it('takes an auth_rate route, filling in the settings it leaves out, and drops them when the route moves to another strategy', async () => {
    const created = await routes.create({ name: 'Smart', processors: twoProcessors(), strategy: 'auth_rate', auth_rate: { window: 50, exploration_percent: 2.5 } }).expect(201);
    const defaults = await routes.create({ name: 'Smart defaults', processors: twoProcessors(), strategy: 'auth_rate' }).expect(201);

    expect(created.body).toMatchObject({ strategy: 'auth_rate', auth_rate: { window: 50, min_samples: 5, default_rate: 1, exploration_percent: 2.5 } });
    expect(defaults.body.auth_rate).toEqual({ window: 200, min_samples: 5, default_rate: 1, exploration_percent: 5 });
    const patched = await routes.patch(created.body.id, { auth_rate: { min_samples: 10 } }).expect(200);
    expect(patched.body).toMatchObject({ auth_rate: { window: 200, min_samples: 10, default_rate: 1, exploration_percent: 5 }, revision: 2 });
    const moved = await routes.patch(created.body.id, { strategy: 'priority' }).expect(200);
    expect(moved.body).toMatchObject({ strategy: 'priority', auth_rate: null, revision: 3 });
  });

  it('takes a volume split whose integer splits add up to 100', async () => {
    const processors = [
      { processor_id: h.processors[0], split: 70 },
      { processor_id: h.processors[1], split: 30 },
    ];
    const res = await routes.create({ name: 'Split', processors, strategy: 'volume_split' }).expect(201);

    expect(res.body.processors).toEqual(processors);
  });

  it('lists an unavailable processor of the account, which a payment only skips', async () => {
    const down = await h.t.http().post('/v1/processors').set(bearer(h.account.secret)).send({ name: 'Down', connector: 'simulator', status: 'unavailable' }).expect(201);

    await routes.create({ name: 'r', processors: [{ processor_id: down.body.id }] }).expect(201);
  });

  describe('refuses a route that breaks a rule with 422 and a field error each', () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ processor_id: `proc_stg_p${i}` }));
    it.each<[string, () => object, string]>([
      ['an unknown processor', () => ({ name: 'r', processors: [{ processor_id: h.processors[0] }, { processor_id: 'proc_stg_nope' }] }), 'processors[1].processor_id'],
      ["another account's processor", () => ({ name: 'r', processors: [{ processor_id: 'proc_stg_elsewhere' }] }), 'processors[0].processor_id'],
      ['a processor listed twice', () => ({ name: 'r', processors: [{ processor_id: h.processors[0] }, { processor_id: h.processors[0] }] }), 'processors[1].processor_id'],
      ['no processors', () => ({ name: 'r', processors: [] }), 'processors'],
      ['more than 20 processors', () => ({ name: 'r', processors: many }), 'processors'],
      ['a blank name', () => ({ name: '  ', processors: twoProcessors() }), 'name'],
      ['a name over 200 characters', () => ({ name: 'x'.repeat(201), processors: twoProcessors() }), 'name'],
      [
        'splits that do not add up to 100',
        () => ({ name: 'r', strategy: 'volume_split', processors: [{ processor_id: h.processors[0], split: 50 }, { processor_id: h.processors[1], split: 40 }] }),
        'processors',
      ],
      ['a volume split missing a split', () => ({ name: 'r', strategy: 'volume_split', processors: [{ processor_id: h.processors[0], split: 100 }, { processor_id: h.processors[1] }] }), 'processors[1].split'],
      ['a split above 100', () => ({ name: 'r', strategy: 'volume_split', processors: [{ processor_id: h.processors[0], split: 150 }, { processor_id: h.processors[1], split: -50 }] }), 'processors[0].split'],
      ['a split without volume_split', () => ({ name: 'r', processors: [{ processor_id: h.processors[0], split: 30 }] }), 'processors[0].split'],
      ['rules without rule_based', () => ({ ...ruleBased([{ field: 'currency', operator: 'equal', value: 'USD' }]), strategy: 'priority' }), 'rules'],
      ['rule_based without rules', () => ({ name: 'r', processors: twoProcessors(), strategy: 'rule_based' }), 'rules'],
      ['a rule without conditions', () => ruleBased([]), 'rules[0].conditions'],
      ['a rule without processors', () => ruleBased([{ field: 'currency', operator: 'equal', value: 'USD' }], []), 'rules[0].processors'],
      ['a rule processor the account does not have', () => ruleBased([{ field: 'currency', operator: 'equal', value: 'USD' }], [{ processor_id: 'proc_stg_nope' }]), 'rules[0].processors[0].processor_id'],
      ['greater_than on a currency', () => ruleBased([{ field: 'currency', operator: 'greater_than', value: 'USD' }]), 'rules[0].conditions[0].operator'],
      ['between on a card network', () => ruleBased([{ field: 'card_network', operator: 'between', value: ['amex', 'visa'] }]), 'rules[0].conditions[0].operator'],
      ['an amount that is a string', () => ruleBased([{ field: 'amount', operator: 'greater_than', value: '1000' }]), 'rules[0].conditions[0].value'],
      ['a negative amount', () => ruleBased([{ field: 'amount', operator: 'less_than', value: -1 }]), 'rules[0].conditions[0].value'],
      ['a lower-case currency', () => ruleBased([{ field: 'currency', operator: 'equal', value: 'usd' }]), 'rules[0].conditions[0].value'],
      ['an unknown card network', () => ruleBased([{ field: 'card_network', operator: 'equal', value: 'bitcoin' }]), 'rules[0].conditions[0].value'],
      ['a country that is not ISO 3166', () => ruleBased([{ field: 'bin_country', operator: 'equal', value: 'XX' }]), 'rules[0].conditions[0].value'],
      ['a bin of 4 digits', () => ruleBased([{ field: 'bin', operator: 'equal', value: '4242' }]), 'rules[0].conditions[0].value'],
      ['a list for equal', () => ruleBased([{ field: 'currency', operator: 'equal', value: ['USD'] }]), 'rules[0].conditions[0].value'],
      ['a single value for in', () => ruleBased([{ field: 'currency', operator: 'in', value: 'USD' }]), 'rules[0].conditions[0].value'],
      ['an empty list for not_in', () => ruleBased([{ field: 'currency', operator: 'not_in', value: [] }]), 'rules[0].conditions[0].value'],
      ['a wrong item in a list', () => ruleBased([{ field: 'currency', operator: 'in', value: ['USD', 7] }]), 'rules[0].conditions[0].value[1]'],
      ['between with one bound', () => ruleBased([{ field: 'amount', operator: 'between', value: [100] }]), 'rules[0].conditions[0].value'],
      ['between with min above max', () => ruleBased([{ field: 'amount', operator: 'between', value: [500, 100] }]), 'rules[0].conditions[0].value'],
      ['an object as a value', () => ruleBased([{ field: 'amount', operator: 'equal', value: { amount: 1 } }]), 'rules[0].conditions[0].value'],
      ['a failover trigger listed twice', () => ({ name: 'r', processors: twoProcessors(), failover: { on: ['decline', 'decline'] } }), 'failover.on[1]'],
      ['an empty list of decline codes', () => ({ name: 'r', processors: twoProcessors(), failover: { decline_codes: [] } }), 'failover.decline_codes'],
      ['a blank decline code', () => ({ name: 'r', processors: twoProcessors(), failover: { decline_codes: ['05', ' '] } }), 'failover.decline_codes[1]'],
      ['max_attempts of 0', () => ({ name: 'r', processors: twoProcessors(), failover: { max_attempts: 0 } }), 'failover.max_attempts'],
      ['max_attempts above 20', () => ({ name: 'r', processors: twoProcessors(), failover: { max_attempts: 21 } }), 'failover.max_attempts'],
      ['auth_rate settings on another strategy', () => ({ name: 'r', processors: twoProcessors(), auth_rate: { window: 50 } }), 'auth_rate'],
      ['an auth_rate window of 0', () => ({ name: 'r', processors: twoProcessors(), strategy: 'auth_rate', auth_rate: { window: 0 } }), 'auth_rate.window'],
      ['an auth_rate window above 1000', () => ({ name: 'r', processors: twoProcessors(), strategy: 'auth_rate', auth_rate: { window: 1001 } }), 'auth_rate.window'],
      ['min_samples above the window', () => ({ name: 'r', processors: twoProcessors(), strategy: 'auth_rate', auth_rate: { window: 10, min_samples: 11 } }), 'auth_rate.min_samples'],
      ['a default_rate above 1', () => ({ name: 'r', processors: twoProcessors(), strategy: 'auth_rate', auth_rate: { default_rate: 1.5 } }), 'auth_rate.default_rate'],
      ['an exploration_percent above 100', () => ({ name: 'r', processors: twoProcessors(), strategy: 'auth_rate', auth_rate: { exploration_percent: 101 } }), 'auth_rate.exploration_percent'],
    ])('%s', async (_, body, field) => {
      const res = await routes.create(body()).expect(422);

      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors).toContainEqual({ field, message: expect.any(String) });
      expect((await routes.list().expect(200)).body.total).toBe(0);
    });
  });

  it('names each broken rule once, not again in the shape checks', async () => {
    const res = await routes.create({ name: 'r', processors: [{ processor_id: h.processors[0] }, { processor_id: h.processors[0] }] }).expect(422);

    expect(res.body.errors).toEqual([{ field: 'processors[1].processor_id', message: `${h.processors[0]} is listed more than once` }]);
  });

  describe('refuses a route of the wrong shape with 400', () => {
    it.each<[string, () => object, string]>([
      ['a missing name', () => ({ processors: twoProcessors() }), 'name'],
      ['missing processors', () => ({ name: 'r' }), 'processors'],
      ['a name that is not a string', () => ({ name: 7, processors: twoProcessors() }), 'name'],
      ['a null name', () => ({ name: null, processors: twoProcessors() }), 'name'],
      ['processors that are not a list', () => ({ name: 'r', processors: h.processors[0] }), 'processors'],
      ['a processor given as a bare id', () => ({ name: 'r', processors: [h.processors[0]] }), 'processors[0]'],
      ['a split that is not an integer', () => ({ name: 'r', strategy: 'volume_split', processors: [{ processor_id: h.processors[0], split: 99.5 }] }), 'processors[0].split'],
      ['an unknown strategy', () => ({ name: 'r', processors: twoProcessors(), strategy: 'random' }), 'strategy'],
      ['a null strategy', () => ({ name: 'r', processors: twoProcessors(), strategy: null }), 'strategy'],
      ['an unknown condition field', () => ruleBased([{ field: 'ip_address', operator: 'equal', value: '1.2.3.4' }]), 'rules[0].conditions[0].field'],
      ['an unknown operator', () => ruleBased([{ field: 'currency', operator: 'like', value: 'US%' }]), 'rules[0].conditions[0].operator'],
      ['a condition without a value', () => ruleBased([{ field: 'currency', operator: 'equal' }]), 'rules[0].conditions[0].value'],
      ['an unknown failover trigger', () => ({ name: 'r', processors: twoProcessors(), failover: { on: ['decline', 'crash'] } }), 'failover.on'],
      ['a failover that is not an object', () => ({ name: 'r', processors: twoProcessors(), failover: 'always' }), 'failover'],
      ['max_attempts that is not an integer', () => ({ name: 'r', processors: twoProcessors(), failover: { max_attempts: '3' } }), 'failover.max_attempts'],
      ['optimized_retry that is not a boolean', () => ({ name: 'r', processors: twoProcessors(), optimized_retry: 'yes' }), 'optimized_retry'],
      ['an unknown property', () => ({ name: 'r', processors: twoProcessors(), colour: 'red' }), 'colour'],
      ['an unknown property of a processor', () => ({ name: 'r', processors: [{ processor_id: h.processors[0], weight: 3 }] }), 'processors[0].weight'],
      ['an unknown property of a rule', () => ({ ...ruleBased([{ field: 'currency', operator: 'equal', value: 'USD' }]), rules: [{ conditions: [], processors: [], priority: 1 }] }), 'rules[0].priority'],
      ['an auth_rate window that is not an integer', () => ({ name: 'r', processors: twoProcessors(), strategy: 'auth_rate', auth_rate: { window: 20.5 } }), 'auth_rate.window'],
      ['a default_rate that is not a number', () => ({ name: 'r', processors: twoProcessors(), strategy: 'auth_rate', auth_rate: { default_rate: 'high' } }), 'auth_rate.default_rate'],
      ['an unknown auth_rate setting', () => ({ name: 'r', processors: twoProcessors(), strategy: 'auth_rate', auth_rate: { half_life: 3 } }), 'auth_rate.half_life'],
    ])('%s', async (_, body, field) => {
      const res = await routes.create(body()).expect(400);

      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors).toContainEqual({ field, message: expect.any(String) });
      expect((await routes.list().expect(200)).body.total).toBe(0);
    });
  });

  it('lists routes newest first, page by page', async () => {
    const ids: string[] = [];
    for (const name of ['First', 'Second', 'Third']) ids.push((await routes.create({ name, processors: twoProcessors() }).expect(201)).body.id);

    const first = await routes.list('?limit=2').expect(200);
    const last = await routes.list('?limit=2&offset=2').expect(200);

    expect(first.body.items.map((route: { id: string }) => route.id)).toEqual([ids[2], ids[1]]);
    expect(first.body).toMatchObject({ total: 3, has_more: true });
    expect(last.body.items.map((route: { id: string }) => route.id)).toEqual([ids[0]]);
    expect(last.body).toMatchObject({ total: 3, has_more: false });
  });

  it('rejects bad pagination', async () => {
    for (const query of ['?limit=0', '?limit=101', '?offset=-1', '?limit=x']) await routes.list(query).expect(400);
  });

  it('increments the revision on each change and keeps it when a patch changes nothing', async () => {
    const { id } = (await routes.create({ name: 'R', processors: twoProcessors() }).expect(201)).body;
    const splits = [
      { processor_id: h.processors[0], split: 80 },
      { processor_id: h.processors[1], split: 20 },
    ];

    const split = await routes.patch(id, { strategy: 'volume_split', processors: splits }).expect(200);
    const same = await routes.patch(id, { name: 'R', strategy: 'volume_split' }).expect(200);
    const empty = await routes.patch(id, {}).expect(200);
    const retry = await routes.patch(id, { optimized_retry: true }).expect(200);

    expect(split.body).toMatchObject({ strategy: 'volume_split', processors: splits, revision: 2 });
    expect(same.body).toEqual(split.body);
    expect(empty.body).toEqual(split.body);
    expect(retry.body).toMatchObject({ optimized_retry: true, revision: 3 });
    expect((await routes.get(id).expect(200)).body.revision).toBe(3);
  });

  it('replaces a failover a patch names whole, with the defaults for what it leaves out', async () => {
    const { id } = (await routes.create({ name: 'R', processors: twoProcessors(), failover: { on: ['decline'], decline_codes: ['05'] } }).expect(201)).body;

    const res = await routes.patch(id, { failover: { max_attempts: 2 } }).expect(200);

    expect(res.body.failover).toEqual({ on: ['decline', 'timeout', 'error'], decline_codes: null, max_attempts: 2 });
  });

  it('validates the route a patch leads to and leaves it unchanged when refused', async () => {
    const { id } = (await routes.create({ name: 'R', processors: twoProcessors() }).expect(201)).body;

    const refused = await routes.patch(id, { strategy: 'volume_split' }).expect(422);
    await routes.patch(id, { name: null }).expect(400);
    await routes.patch(id, { processors: null }).expect(400);

    expect(refused.body.errors.map((error: { field: string }) => error.field)).toEqual(['processors[0].split', 'processors[1].split']);
    expect((await routes.get(id).expect(200)).body).toMatchObject({ name: 'R', strategy: 'priority', revision: 1 });
  });

  it('answers 404 for a deleted route and keeps it out of the listing', async () => {
    const { id } = (await routes.create({ name: 'Gone', processors: twoProcessors() }).expect(201)).body;
    await routes.remove(id).expect(204);

    await routes.get(id).expect(404);
    await routes.patch(id, { name: 'Back' }).expect(404);
    await routes.remove(id).expect(404);
    expect((await routes.list().expect(200)).body).toEqual({ items: [], total: 0, has_more: false });
  });

  it('answers 404 for a route that never existed', async () => {
    await routes.get('proute_stg_nope').expect(404);
    await routes.patch('proute_stg_nope', { name: 'x' }).expect(404);
    await routes.remove('proute_stg_nope').expect(404);
  });

  it("hides another account's route", async () => {
    const other = await openAccountWithProcessors(h.t);
    const theirs = (await routes.create({ name: 'Theirs', processors: [{ processor_id: other.processors[0] }] }, other.account.secret).expect(201)).body;

    await routes.get(theirs.id).expect(404);
    await routes.patch(theirs.id, { name: 'Mine now' }).expect(404);
    await routes.remove(theirs.id).expect(404);
    expect((await routes.list().expect(200)).body.total).toBe(0);
    await routes.setDefault(theirs.id).expect(422);
  });

  it('keeps routes away from publishable tokens', async () => {
    const { id } = (await routes.create({ name: 'R', processors: twoProcessors() }).expect(201)).body;
    const publishable = bearer(h.account.publishable);

    await routes.create({ name: 'R', processors: twoProcessors() }, h.account.publishable).expect(403);
    await h.t.http().get('/v1/processor-routes').set(publishable).expect(403);
    await h.t.http().get(`/v1/processor-routes/${id}`).set(publishable).expect(403);
    await h.t.http().patch(`/v1/processor-routes/${id}`).set(publishable).send({ name: 'x' }).expect(403);
    await h.t.http().delete(`/v1/processor-routes/${id}`).set(publishable).expect(403);
  });

  describe('as the account default route', () => {
    it('counts as a reference that blocks a delete until it is unset', async () => {
      const { id } = (await routes.create({ name: 'Default', processors: twoProcessors() }).expect(201)).body;

      const set = await routes.setDefault(id).expect(200);
      const account = await h.t.http().get(`/v1/accounts/${h.account.id}`).set(bearer(h.account.secret)).expect(200);
      const referenced = await routes.get(id).expect(200);
      const refused = await routes.remove(id).expect(409);

      expect(set.body.default_processor_route_id).toBe(id);
      expect(account.body.default_processor_route_id).toBe(id);
      expect(referenced.body.references).toEqual({ checkout_sessions: 0, account_default: true });
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body.detail).toMatch(/account default/);

      const cleared = await routes.setDefault(null).expect(200);
      expect(cleared.body.default_processor_route_id).toBeNull();
      expect((await routes.get(id).expect(200)).body.references).toEqual({ checkout_sessions: 0, account_default: false });
      await routes.remove(id).expect(204);
    });

    it('moves from one route to another, releasing the first', async () => {
      const first = (await routes.create({ name: 'First', processors: twoProcessors() }).expect(201)).body.id;
      const second = (await routes.create({ name: 'Second', processors: twoProcessors() }).expect(201)).body.id;

      await routes.setDefault(first).expect(200);
      await routes.setDefault(second).expect(200);
      await routes.setDefault(second).expect(200);

      expect((await routes.get(first).expect(200)).body.references.account_default).toBe(false);
      expect((await routes.get(second).expect(200)).body.references.account_default).toBe(true);
      await routes.remove(first).expect(204);
      await routes.remove(second).expect(409);
    });

    it('shows in the admin listing of accounts', async () => {
      const { id } = (await routes.create({ name: 'Default', processors: twoProcessors() }).expect(201)).body;
      await routes.setDefault(id).expect(200);

      const listing = await h.t.http().get('/v1/accounts?limit=100').set(bearer(ADMIN_TOKEN)).expect(200);

      expect(listing.body.items).toContainEqual(expect.objectContaining({ id: h.account.id, default_processor_route_id: id }));
    });

    it('refuses an unknown or deleted route with 422, leaving the default as it was', async () => {
      const kept = (await routes.create({ name: 'Kept', processors: twoProcessors() }).expect(201)).body.id;
      const deleted = (await routes.create({ name: 'Deleted', processors: twoProcessors() }).expect(201)).body.id;
      await routes.remove(deleted).expect(204);
      await routes.setDefault(kept).expect(200);

      const unknown = await routes.setDefault('proute_stg_nope').expect(422);
      await routes.setDefault(deleted).expect(422);

      expect(unknown.body.errors).toEqual([{ field: 'default_processor_route_id', message: 'unknown route proute_stg_nope' }]);
      expect((await h.t.http().get(`/v1/accounts/${h.account.id}`).set(bearer(h.account.secret)).expect(200)).body.default_processor_route_id).toBe(kept);
    });

    it('changes neither default when the processor of the same patch is refused', async () => {
      const { id } = (await routes.create({ name: 'R', processors: twoProcessors() }).expect(201)).body;

      await h.t.http().patch(`/v1/accounts/${h.account.id}`).set(bearer(h.account.secret)).send({ default_processor_route_id: id, default_processor_id: 'proc_stg_nope' }).expect(422);

      expect((await h.t.http().get(`/v1/accounts/${h.account.id}`).set(bearer(h.account.secret)).expect(200)).body.default_processor_route_id).toBeNull();
      expect((await routes.get(id).expect(200)).body.references.account_default).toBe(false);
    });
  });
});

/**
 * The routing document's rule-based example, "Visa to stripe, Mastercard to adyen, default
 * [stripe]", written with our field names as a merchant would send it: adyen is named by a rule
 * only, not in the default list.
 */
describe("the routing document's example over HTTP: visa to stripe, mastercard to adyen, default [stripe]", () => {
  let t: TestApp;
  let shop: PaymentShop;
  let stripe: string;
  let adyen: string;
  let route: string;
  beforeAll(async () => {
    t = await startTestApp();
    shop = await PaymentShop.open(t);
    stripe = await shop.processor('stripe');
    adyen = await shop.processor('adyen');
    const created = await t
      .http()
      .post('/v1/processor-routes')
      .set(bearer(shop.account.secret))
      .send({
        name: 'Card brand routing',
        processors: [{ processor_id: stripe }],
        strategy: 'rule_based',
        rules: [
          { conditions: [{ field: 'card_network', operator: 'equal', value: 'visa' }], processors: [{ processor_id: stripe }] },
          { conditions: [{ field: 'card_network', operator: 'equal', value: 'mastercard' }], processors: [{ processor_id: adyen }] },
        ],
      })
      .expect(201);
    route = created.body.id;
  });
  afterAll(() => t.close());

  it.each([
    ['a visa card', '4242424242424242', () => stripe, 0],
    ['a mastercard', '5555555555554444', () => adyen, 1],
    ['a card no rule names (amex), by the default list', '378282246310005', () => stripe, null],
  ])('routes %s as the example says, and says which rule decided', async (_, number, processor, rule) => {
    const session = await shop.session([{ amount: 1000 }], route);

    const paid = await shop.pay(session, { payment_method: card(number) }).expect(201);

    expect(paid.body).toMatchObject({ status: 'succeeded', route_id: route, processor_id: processor() });
    expect(paid.body.attempts.map((attempt: { processor_id: string }) => attempt.processor_id)).toEqual([processor()]);
    // No BIN table is imported here: the country is unknown, and said so.
    expect(paid.body.routing).toEqual([{ tier: 0, route_id: route, route_revision: 1, strategy: 'rule_based', order: [processor()], why: { matched_rule: rule, bin_country: null } }]);
  });

  it('skips adyen when it is unavailable and does not fall back to the default list', async () => {
    await t.http().patch(`/v1/processors/${adyen}`).set(bearer(shop.account.secret)).send({ status: 'unavailable' }).expect(200);
    try {
      const session = await shop.session([{ amount: 1000 }], route);

      const paid = await shop.pay(session, { payment_method: card('5555555555554444') }).expect(201);

      expect(paid.body).toMatchObject({ status: 'failed', attempts: [{ processor_id: adyen, kind: 'skipped', reason: 'unavailable' }] });
    } finally {
      await t.http().patch(`/v1/processors/${adyen}`).set(bearer(shop.account.secret)).send({ status: 'active' }).expect(200);
    }
  });
});
