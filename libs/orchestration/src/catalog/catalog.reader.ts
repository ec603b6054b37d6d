import { Injectable } from '@nestjs/common';
import {
  CATALOG_KINDS,
  CatalogItem,
  CatalogKind,
  Coupon,
  Customer,
  Price,
  Product,
  PromotionCode,
  isId,
  promotionCodeClaimDecider,
  promotionCodeClaimStream,
  promotionCodeFormatErrors,
  streamName,
} from '@payments/domain';
import { CommandRunner } from '../command-handling/command-runner';

export interface PromotionCodeWithCoupon {
  promotionCode: PromotionCode;
  coupon: Coupon;
}

/**
 * Catalog items folded from their streams, the source of truth, for commands that reference
 * them and for reading one item (lists come from the catalog listing). Every lookup answers undefined for an unknown id, an id of another kind and an item of
 * another account alike, so existence never leaks across accounts.
 */
@Injectable()
export class CatalogReader {
  constructor(private readonly runner: CommandRunner) {}

  async item<Kind extends CatalogKind>(kind: Kind, accountId: string, id: string): Promise<CatalogItem<Kind> | undefined> {
    const { prefix, decider } = CATALOG_KINDS[kind];
    // The prefix check also keeps arbitrary text out of stream names.
    if (!isId(id, prefix)) return undefined;
    const state = await this.runner.load(streamName('catalog', id), decider);
    return state.status === 'created' && state.item.accountId === accountId ? state.item : undefined;
  }

  product(accountId: string, id: string): Promise<Product | undefined> {
    return this.item('product', accountId, id);
  }

  price(accountId: string, id: string): Promise<Price | undefined> {
    return this.item('price', accountId, id);
  }

  customer(accountId: string, id: string): Promise<Customer | undefined> {
    return this.item('customer', accountId, id);
  }

  coupon(accountId: string, id: string): Promise<Coupon | undefined> {
    return this.item('coupon', accountId, id);
  }

  promotionCode(accountId: string, id: string): Promise<PromotionCode | undefined> {
    return this.item('promotion_code', accountId, id);
  }

  /** The promotion code a customer typed, in any case, with its coupon. */
  async promotionCodeByCode(accountId: string, code: string): Promise<PromotionCodeWithCoupon | undefined> {
    const holderId = await this.promotionCodeHolder(accountId, code);
    const promotionCode = holderId === undefined ? undefined : await this.promotionCode(accountId, holderId);
    const coupon = promotionCode && (await this.coupon(accountId, promotionCode.coupon_id));
    return promotionCode && coupon && { promotionCode, coupon };
  }

  /** The id the code's claim names, whether or not that promotion code was created yet. */
  async promotionCodeHolder(accountId: string, code: string): Promise<string | undefined> {
    if (promotionCodeFormatErrors(code).length > 0) return undefined;
    const claim = await this.runner.load(promotionCodeClaimStream(accountId, code), promotionCodeClaimDecider);
    return claim.status === 'claimed' ? claim.promotionCodeId : undefined;
  }
}
