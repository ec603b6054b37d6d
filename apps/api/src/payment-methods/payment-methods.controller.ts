import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { paymentMethods } from '@payments/domain';
import { IsCurrencyCode } from '../http/currency-code.validator';
import { AccountsReader } from '@payments/orchestration';
import { CurrentPrincipal, Principal, accountOf } from '../http/principal';
import { PaymentMethodList } from './payment-methods.schema';

export class PaymentMethodsQuery {
  @ApiPropertyOptional({ example: 'USD', description: 'ISO 4217, upper case. Omitted: any currency.' })
  @IsOptional()
  @IsCurrencyCode()
  currency?: string;
}

@ApiTags('Processors')
@ApiBearerAuth()
@Controller('v1/payment-methods')
export class PaymentMethodsController {
  constructor(private readonly reader: AccountsReader) {}

  @Get()
  @ApiOperation({ operationId: 'listPaymentMethods', summary: 'Card networks that at least one active processor of the account takes for the currency' })
  @ApiOkResponse({ type: PaymentMethodList })
  async list(@Query() query: PaymentMethodsQuery, @CurrentPrincipal() principal: Principal) {
    const { items } = await this.reader.processors(accountOf(principal));
    return { object: 'list', currency: query.currency ?? null, methods: paymentMethods(items.map((i) => i.processor), query.currency) };
  }
}
