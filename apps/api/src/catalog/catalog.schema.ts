import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../http/page.schema';

// What presentCatalogItem answers for each kind, field by field: `{id, object, ...fields, created_at}`.

const CREATED_AT = { format: 'date-time', example: '2026-11-21T10:00:00.000Z' } as const;

export class Product {
  @ApiProperty({ example: 'prod_stg_7f3k2m9q1x' })
  id!: string;

  @ApiProperty({ enum: ['product'] })
  object!: 'product';

  @ApiProperty({ example: 'Premium plan' })
  name!: string;

  @ApiProperty(CREATED_AT)
  created_at!: string;
}

export class Price {
  @ApiProperty({ example: 'price_stg_3b9Xk2Lm7Qw' })
  id!: string;

  @ApiProperty({ enum: ['price'] })
  object!: 'price';

  @ApiProperty({ example: 'prod_stg_7f3k2m9q1x' })
  product_id!: string;

  @ApiProperty({ type: 'integer', example: 4900, description: 'Minor units of the currency' })
  unit_amount!: number;

  @ApiProperty({ example: 'USD' })
  currency!: string;

  @ApiProperty(CREATED_AT)
  created_at!: string;
}

export class Customer {
  @ApiProperty({ example: 'cus_stg_5Hd8Qm2Wx9Lk' })
  id!: string;

  @ApiProperty({ enum: ['customer'] })
  object!: 'customer';

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Ada Lovelace' })
  name!: string | null;

  @ApiProperty(CREATED_AT)
  created_at!: string;
}

export class Coupon {
  @ApiProperty({ example: 'coupon_stg_7f3k2m9q1x' })
  id!: string;

  @ApiProperty({ enum: ['coupon'] })
  object!: 'coupon';

  @ApiProperty({ type: Number, nullable: true, example: 20, description: 'Set exactly when amount_off is null' })
  percent_off!: number | null;

  @ApiProperty({ type: 'integer', nullable: true, example: null, description: 'Minor units of `currency`; set exactly when percent_off is null' })
  amount_off!: number | null;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'The currency of amount_off' })
  currency!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Launch discount' })
  name!: string | null;

  @ApiProperty(CREATED_AT)
  created_at!: string;
}

export class PromotionCode {
  @ApiProperty({ example: 'promo_stg_9Kd2Lm5Qx8Wz' })
  id!: string;

  @ApiProperty({ enum: ['promotion_code'] })
  object!: 'promotion_code';

  @ApiProperty({ example: 'SAVE20', description: 'As created; customers may type it in any case' })
  code!: string;

  @ApiProperty({ example: 'coupon_stg_7f3k2m9q1x' })
  coupon_id!: string;

  @ApiProperty({ example: true, description: 'Always true: promotion codes cannot be deactivated yet' })
  active!: boolean;

  @ApiProperty(CREATED_AT)
  created_at!: string;
}

export const ProductPage = PageOf(Product);
export const PricePage = PageOf(Price);
export const CustomerPage = PageOf(Customer);
export const CouponPage = PageOf(Coupon);
export const PromotionCodePage = PageOf(PromotionCode);

/** Each kind's object and list schemas, for catalogController. */
export const CATALOG_SCHEMAS = {
  product: { item: Product, page: ProductPage },
  price: { item: Price, page: PricePage },
  customer: { item: Customer, page: CustomerPage },
  coupon: { item: Coupon, page: CouponPage },
  promotion_code: { item: PromotionCode, page: PromotionCodePage },
} as const;
