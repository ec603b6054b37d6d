import { promotionCodeClaimStream } from '@payments/domain';
import { MemoryEventStore, randomEventId } from '@payments/event-store';
import { CommandRunner } from '../command-handling/command-runner';
import { RandomIdGenerator } from '../random-ids';
import { CatalogItemCreated, CatalogItemInput, CreateCatalogItem, CreateCatalogItemHandler } from './catalog.commands';
import { CatalogReader } from './catalog.reader';

const clock = { now: () => new Date('2026-11-21T10:00:00.000Z') };

describe('catalog commands and reader', () => {
  let store: MemoryEventStore;
  let reader: CatalogReader;
  let handler: CreateCatalogItemHandler;

  beforeEach(() => {
    store = new MemoryEventStore();
    const runner = new CommandRunner(store, clock);
    reader = new CatalogReader(runner);
    handler = new CreateCatalogItemHandler(runner, reader, new RandomIdGenerator('stg'));
  });

  afterEach(() => store.close());

  const create = (accountId: string, input: CatalogItemInput): Promise<CatalogItemCreated> => handler.execute(new CreateCatalogItem(accountId, input, { accountId }));
  const couponOf = async (accountId: string) => (await create(accountId, { kind: 'coupon', percent_off: 20 })).item.id;

  it('answers the global position of the created item for read-your-writes', async () => {
    const first = await create('acc_stg_a', { kind: 'product', name: 'Premium' });
    const second = await create('acc_stg_a', { kind: 'customer', email: 'ada@example.com' });

    expect(second.position).toBeGreaterThan(first.position);
  });

  it('finds an item only in its own account and under its own kind', async () => {
    const { item: product } = await create('acc_stg_a', { kind: 'product', name: 'Premium' });

    expect(await reader.product('acc_stg_a', product.id)).toEqual(product);
    expect(await reader.product('acc_stg_b', product.id)).toBeUndefined();
    expect(await reader.coupon('acc_stg_a', product.id)).toBeUndefined();
    expect(await reader.price('acc_stg_a', 'price_stg_unknown')).toBeUndefined();
  });

  it('finds a promotion code by its code in any case, with its coupon', async () => {
    const couponId = await couponOf('acc_stg_a');
    const { item: promotionCode } = await create('acc_stg_a', { kind: 'promotion_code', code: 'Save20', coupon_id: couponId });

    const found = await reader.promotionCodeByCode('acc_stg_a', 'sAvE20');

    expect(found).toEqual({ promotionCode, coupon: await reader.coupon('acc_stg_a', couponId) });
    expect(found?.coupon).toMatchObject({ id: couponId, percent_off: 20 });
  });

  it('finds no promotion code for an unknown or malformed code, or in another account', async () => {
    await create('acc_stg_a', { kind: 'promotion_code', code: 'SAVE20', coupon_id: await couponOf('acc_stg_a') });

    expect(await reader.promotionCodeByCode('acc_stg_a', 'SAVE30')).toBeUndefined();
    expect(await reader.promotionCodeByCode('acc_stg_a', 'SAVE-20')).toBeUndefined();
    expect(await reader.promotionCodeByCode('acc_stg_b', 'SAVE20')).toBeUndefined();
  });

  describe('when a request stopped between claiming a code and creating its promotion code', () => {
    const abandonedId = 'promo_stg_abandoned';

    beforeEach(async () => {
      await store.appendToStream(
        promotionCodeClaimStream('acc_stg_a', 'SAVE20'),
        [{ id: randomEventId(), type: 'PromotionCodeClaimed', data: { account_id: 'acc_stg_a', code: 'SAVE20', promotion_code_id: abandonedId }, metadata: { schema_version: 1 } }],
        { expectedRevision: 'no_stream' },
      );
    });

    it('finds no promotion code for the code', async () => {
      expect(await reader.promotionCodeByCode('acc_stg_a', 'SAVE20')).toBeUndefined();
    });

    it('lets the next request for the code create it under the id the claim names', async () => {
      const couponId = await couponOf('acc_stg_a');

      const { item } = await create('acc_stg_a', { kind: 'promotion_code', code: 'save20', coupon_id: couponId });

      expect(item).toMatchObject({ id: abandonedId, code: 'save20', coupon_id: couponId });
      expect((await reader.promotionCodeByCode('acc_stg_a', 'SAVE20'))?.promotionCode.id).toBe(abandonedId);
      await expect(create('acc_stg_a', { kind: 'promotion_code', code: 'SAVE20', coupon_id: couponId })).rejects.toMatchObject({ kind: 'conflict' });
    });
  });
});
