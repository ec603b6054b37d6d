/** Id prefixes of API.md, `re` for refunds (API.md's `re_<env>_…`), and `whd` for webhook deliveries (API.md names no prefix for them). Ids are `<prefix>_<env>_<random>` and never contain `-`, so stream names split cleanly. */
export const ID_PREFIXES = ['acc', 'proc', 'proute', 'price', 'prod', 'cus', 'coupon', 'promo', 'cs', 'pay', 'we', 'whd', 'evt', 're'] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

export type PaymentsEnv = 'prod' | 'stg';

export interface IdGenerator {
  /** A new id for the prefix, e.g. `proc_stg_7f3k2m9q1x`. */
  next(prefix: IdPrefix): string;
}

export interface Clock {
  now(): Date;
}

const ID_PATTERN = /^[a-z]+_(prod|stg)_[A-Za-z0-9]+$/;

export function isId(value: unknown, prefix: IdPrefix): value is string {
  return typeof value === 'string' && value.startsWith(`${prefix}_`) && ID_PATTERN.test(value);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The API's id of a stored event (`evt_<env>_<32 hex>`): the store keys events by UUID, which
 * EventStoreDB requires, while API ids never contain `-`. The mapping is one to one.
 */
export function apiEventId(uuid: string, env: PaymentsEnv): string {
  return UUID.test(uuid) ? `evt_${env}_${uuid.replace(/-/g, '').toLowerCase()}` : uuid;
}
