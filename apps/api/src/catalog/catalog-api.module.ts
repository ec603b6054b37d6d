import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CatalogModule } from '@payments/orchestration';
import { CreateCouponDto, CreateCustomerDto, CreatePriceDto, CreateProductDto, CreatePromotionCodeDto } from './catalog.dto';
import { catalogController } from './catalog.controller';

/** Products, prices, customers, coupons and promotion codes over HTTP. */
@Module({
  imports: [CqrsModule, CatalogModule],
  controllers: [
    catalogController('product', 'products', CreateProductDto),
    catalogController('price', 'prices', CreatePriceDto),
    catalogController('customer', 'customers', CreateCustomerDto),
    catalogController('coupon', 'coupons', CreateCouponDto),
    catalogController('promotion_code', 'promotion-codes', CreatePromotionCodeDto),
  ],
})
export class CatalogApiModule {}
