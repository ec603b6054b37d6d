import { catalogListing, listCatalogItems } from '@payments/read-models/projections/catalog-listing';
import { useProjectionFixture } from './projection-fixture';

describe('catalog listing', () => {
  const fixture = useProjectionFixture();
  const { append } = fixture;

  const at = '2026-11-21T10:00:00.000Z';

  const product = (id: string, accountId = 'acc_stg_a') =>
    append(`catalog-${id}`, { type: 'ProductCreated', data: { product_id: id, account_id: accountId, name: `Product ${id}`, created_at: at } });

  async function listed(accountId: string, kind: Parameters<typeof listCatalogItems>[2], page = { limit: 50, offset: 0 }) {
    await fixture.project(catalogListing);
    return listCatalogItems(fixture.readModels, accountId, kind, page);
  }

  it('lists items newest first even when they share their creation time', async () => {
    for (const id of ['prod_stg_b', 'prod_stg_c', 'prod_stg_a']) await product(id);

    const page = await listed('acc_stg_a', 'product');

    expect(page.items.map((item) => item.id)).toEqual(['prod_stg_a', 'prod_stg_c', 'prod_stg_b']);
    expect(page.items[0]).toEqual({ id: 'prod_stg_a', accountId: 'acc_stg_a', name: 'Product prod_stg_a', createdAt: at });
    expect(page.total).toBe(3);
  });

  it('pages through the items', async () => {
    for (const id of ['prod_stg_1', 'prod_stg_2', 'prod_stg_3']) await product(id);

    expect(await listed('acc_stg_a', 'product', { limit: 1, offset: 1 })).toEqual({ items: [expect.objectContaining({ id: 'prod_stg_2' })], total: 3 });
  });

  it('keeps every account and kind in a list of its own', async () => {
    await product('prod_stg_mine');
    await product('prod_stg_theirs', 'acc_stg_b');
    const coupon = { coupon_id: 'coupon_stg_1', account_id: 'acc_stg_a', percent_off: 10, amount_off: null, currency: null, name: null, created_at: at };
    await append('catalog-coupon_stg_1', { type: 'CouponCreated', data: coupon });

    expect((await listed('acc_stg_a', 'product')).items.map((item) => item.id)).toEqual(['prod_stg_mine']);
    expect((await listed('acc_stg_b', 'product')).items.map((item) => item.id)).toEqual(['prod_stg_theirs']);
    expect((await listed('acc_stg_a', 'coupon')).items).toEqual([
      { id: 'coupon_stg_1', accountId: 'acc_stg_a', percent_off: 10, amount_off: null, currency: null, name: null, createdAt: at },
    ]);
  });

  it('ignores the claims of promotion codes and every other event', async () => {
    await append('promotion_code-acc_stg_a_SAVE20', { type: 'PromotionCodeClaimed', data: { account_id: 'acc_stg_a', code: 'SAVE20', promotion_code_id: 'promo_stg_1' } });
    await append('account-acc_stg_a', { type: 'AccountOpened', data: { account_id: 'acc_stg_a', name: 'Shop', sandbox: false, opened_at: at } });

    expect(await listed('acc_stg_a', 'promotion_code')).toEqual({ items: [], total: 0 });
  });
});
