import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CATALOG_KINDS, CatalogItem, CatalogKind, CatalogKinds, IdGenerator, assertNoErrors, promotionCodeErrors, streamName } from '@payments/domain';
import { CommandRunner } from '../command-handling/command-runner';
import { CommandMetadata } from '../command-handling/handle-command';
import { ID_GENERATOR } from '../tokens';
import { CatalogReader } from './catalog.reader';
import { claimPromotionCode } from './promotion-code-claim';

/** What a client sends to create an item of each kind, field names as in the API. */
export interface CatalogInputs {
  product: { name: string };
  price: { product_id: string; unit_amount: number; currency: string };
  customer: { email: string; name?: string | null };
  coupon: { percent_off?: number | null; amount_off?: number | null; currency?: string | null; name?: string | null };
  promotion_code: { code: string; coupon_id: string };
}

export type CatalogItemInput = { [Kind in CatalogKind]: { kind: Kind } & CatalogInputs[Kind] }[CatalogKind];

export class CreateCatalogItem {
  constructor(
    readonly accountId: string,
    readonly input: CatalogItemInput,
    readonly metadata: CommandMetadata,
  ) {}
}

export interface CatalogItemCreated<Kind extends CatalogKind = CatalogKind> {
  item: CatalogItem<Kind>;
  /** Global position of the item's event, for read-your-writes on the catalog listing. */
  position: bigint;
}

/** Creates products, prices, customers, coupons and promotion codes, each in its stream `catalog-<id>`. */
@CommandHandler(CreateCatalogItem)
export class CreateCatalogItemHandler implements ICommandHandler<CreateCatalogItem, CatalogItemCreated> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly reader: CatalogReader,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
  ) {}

  async execute({ accountId, input, metadata }: CreateCatalogItem): Promise<CatalogItemCreated> {
    switch (input.kind) {
      case 'product':
        return this.create('product', metadata, (productId) => ({ type: 'CreateProduct', productId, accountId, name: input.name }));
      case 'price': {
        const product = await this.reader.product(accountId, input.product_id);
        return this.create('price', metadata, (priceId) => ({
          type: 'CreatePrice',
          priceId,
          accountId,
          productId: input.product_id,
          unitAmount: input.unit_amount,
          currency: input.currency,
          product,
        }));
      }
      case 'customer':
        return this.create('customer', metadata, (customerId) => ({ type: 'CreateCustomer', customerId, accountId, email: input.email, name: input.name }));
      case 'coupon':
        return this.create('coupon', metadata, (couponId) => ({
          type: 'CreateCoupon',
          couponId,
          accountId,
          percentOff: input.percent_off,
          amountOff: input.amount_off,
          currency: input.currency,
          name: input.name,
        }));
      case 'promotion_code':
        return this.createPromotionCode(accountId, input, metadata);
    }
  }

  private async createPromotionCode(accountId: string, { code, coupon_id }: CatalogInputs['promotion_code'], metadata: CommandMetadata): Promise<CatalogItemCreated> {
    const fields = { accountId, code, couponId: coupon_id, coupon: await this.reader.coupon(accountId, coupon_id) };
    // Checked before the claim, so that a refused request never holds the code.
    assertNoErrors(promotionCodeErrors(fields), 'promotion code');
    const promotionCodeId = await claimPromotionCode(this.runner, this.reader, { accountId, code, newId: this.ids.next('promo'), metadata });
    return this.append('promotion_code', promotionCodeId, { type: 'CreatePromotionCode', promotionCodeId, ...fields }, metadata);
  }

  private create<Kind extends CatalogKind>(kind: Kind, metadata: CommandMetadata, commandFor: (id: string) => CatalogKinds[Kind]['command']): Promise<CatalogItemCreated> {
    const id = this.ids.next(CATALOG_KINDS[kind].prefix);
    return this.append(kind, id, commandFor(id), metadata);
  }

  private async append<Kind extends CatalogKind>(kind: Kind, id: string, command: CatalogKinds[Kind]['command'], metadata: CommandMetadata): Promise<CatalogItemCreated> {
    const result = await this.runner.run(streamName('catalog', id), CATALOG_KINDS[kind].decider, command, { metadata });
    if (result.state.status !== 'created' || result.position === undefined) throw new Error(`${kind} ${id} was not created`);
    return { item: result.state.item, position: result.position };
  }
}
