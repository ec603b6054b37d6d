import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PaymentShop, card } from './support/payment-shop';
import { TestApp, bearer, startTestApp } from './support/test-app';

const ROOT = join(__dirname, '..');
/** In the sample table's GB range (40000082, visa credit), inside its US 400000 range: the longest prefix wins. */
const GB_CARD = '4000008260000000';
/** A BIN the sample table does not hold. */
const UNKNOWN_BIN_CARD = '4111111111111111';

/** `npm run cli -- bins import bins/sample-bins.csv` into the running app's DATA_DIR, as an operator would run it beside the service. */
async function importSampleTable(dataDir: string): Promise<void> {
  await promisify(execFile)(join(ROOT, 'node_modules/.bin/ts-node'), ['-r', 'tsconfig-paths/register', '--swc', 'apps/cli/src/main.ts', 'bins', 'import', 'bins/sample-bins.csv'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, DATA_DIR: dataDir },
  });
}

describe('the BIN table over HTTP', () => {
  let t: TestApp;
  let shop: PaymentShop;
  let uk: string;
  let us: string;
  let route: string;
  let methodsBefore: unknown;
  beforeAll(async () => {
    t = await startTestApp();
    shop = await PaymentShop.open(t);
    us = await shop.processor('US acquirer');
    uk = await shop.processor('UK acquirer');
    route = await shop.route([us], {
      strategy: 'rule_based',
      rules: [{ conditions: [{ field: 'bin_country', operator: 'equal', value: 'GB' }], processors: [{ processor_id: uk }] }],
    });
    methodsBefore = (await shop.get('/v1/payment-methods?currency=USD').expect(200)).body;
    // Imported while the service runs: it reads the new table without a restart.
    await importSampleTable(t.dataDir);
  });
  afterAll(() => t.close());

  it('routes a card of the GB range by its bin_country rule, and shows its country and funding', async () => {
    const paid = await shop.pay(await shop.session([{ amount: 2500 }], route), { payment_method: card(GB_CARD) }).expect(201);

    expect(paid.body).toMatchObject({ status: 'succeeded', processor_id: uk, source: { bin: '400000', last4: '0000', network: 'visa', country: 'GB', funding: 'credit' } });
    expect(paid.body.attempts.map((attempt: { processor_id: string }) => attempt.processor_id)).toEqual([uk]);
    const started = (await shop.get(`/v1/payments/${paid.body.id}/events`).expect(200)).body.items[0];
    expect(started.data).toMatchObject({ bin_country: 'GB', card: { country: 'GB', funding: 'credit' } });
    expect(paid.body.routing).toEqual([{ tier: 0, route_id: route, route_revision: 1, strategy: 'rule_based', order: [uk], why: { matched_rule: 0, bin_country: 'GB' } }]);
  });

  it('routes a card whose BIN the table does not hold by the default list, with no country and an unknown funding', async () => {
    const paid = await shop.pay(await shop.session([{ amount: 2500 }], route), { payment_method: card(UNKNOWN_BIN_CARD) }).expect(201);

    expect(paid.body).toMatchObject({ status: 'succeeded', processor_id: us, source: { country: null, funding: 'unknown' } });
    expect(paid.body.attempts.map((attempt: { processor_id: string }) => attempt.processor_id)).toEqual([us]);
    expect(paid.body.routing).toEqual([{ tier: 0, route_id: route, route_revision: 1, strategy: 'rule_based', order: [us], why: { matched_rule: null, bin_country: null } }]);
  });

  it('does not match an unknown BIN by a not_equal bin_country condition either', async () => {
    const notGb = await shop.route([us], {
      strategy: 'rule_based',
      rules: [{ conditions: [{ field: 'bin_country', operator: 'not_equal', value: 'GB' }], processors: [{ processor_id: uk }] }],
    });

    const paid = await shop.pay(await shop.session([{ amount: 2500 }], notGb), { payment_method: card(UNKNOWN_BIN_CARD) }).expect(201);

    expect(paid.body.processor_id).toBe(us);
  });

  it('leaves GET /v1/payment-methods as it was', async () => {
    expect((await t.http().get('/v1/payment-methods?currency=USD').set(bearer(shop.account.secret)).expect(200)).body).toEqual(methodsBefore);
  });
});
