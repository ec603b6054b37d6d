import { Injectable } from '@nestjs/common';
import { CheckoutSessionReferences, CheckoutSessionRequest, OwnedReference, Price, isId, requestedTiers, routeDecider, streamName } from '@payments/domain';
import { CatalogReader } from '../catalog/catalog.reader';
import { CommandRunner } from '../command-handling/command-runner';

/**
 * Looks up every id a session request names, as they stand now. It only looks: the domain's
 * resolveSessionReferences decides what is unknown, so all unknown ids are reported at once.
 */
@Injectable()
export class SessionReferencesLookup {
  constructor(
    private readonly catalog: CatalogReader,
    private readonly runner: CommandRunner,
  ) {}

  async lookUp(accountId: string, request: CheckoutSessionRequest): Promise<CheckoutSessionReferences> {
    const priceIds = distinct(requestedTiers(request).flatMap((tier) => tier.line_items.map((item) => item.price_id)));
    const routeIds = distinct([request.processor_route_id, ...(request.cascade_line_items ?? []).map((tier) => tier.processor_route_id)]);
    const [prices, routes, customer, discount] = await Promise.all([
      Promise.all(priceIds.map((id) => this.catalog.price(accountId, id))),
      Promise.all(routeIds.map((id) => this.liveRoute(accountId, id))),
      request.customer_id == null ? undefined : this.catalog.customer(accountId, request.customer_id),
      this.discount(accountId, request),
    ]);
    return {
      prices: new Map(present(prices).map((price): [string, Price] => [price.id, price])),
      routes: new Map(present(routes).map((route): [string, OwnedReference] => [route.id, route])),
      customer,
      ...discount,
    };
  }

  private async discount(accountId: string, request: CheckoutSessionRequest): Promise<Pick<CheckoutSessionReferences, 'promotionCode' | 'coupon'>> {
    if (request.promotion_code != null) {
      const found = await this.catalog.promotionCodeByCode(accountId, request.promotion_code);
      return { promotionCode: found?.promotionCode, coupon: found?.coupon };
    }
    const coupon = request.coupon_id == null ? undefined : await this.catalog.coupon(accountId, request.coupon_id);
    return { promotionCode: undefined, coupon };
  }

  /** Deleted routes and routes of other accounts read as unknown. */
  private async liveRoute(accountId: string, routeId: string): Promise<OwnedReference | undefined> {
    // The prefix check also keeps arbitrary text out of stream names.
    if (!isId(routeId, 'proute')) return undefined;
    const state = await this.runner.load(streamName('route', routeId), routeDecider);
    return state.status === 'active' && state.route.accountId === accountId ? { id: state.route.id, accountId } : undefined;
  }
}

function distinct(ids: readonly (string | null | undefined)[]): string[] {
  return [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
}

function present<T>(values: readonly (T | undefined)[]): T[] {
  return values.filter((value): value is T => value !== undefined);
}
