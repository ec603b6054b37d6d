import { ApiProperty } from '@nestjs/swagger';
import { CARD_NETWORKS, CardNetwork } from '@payments/domain';

export class PaymentMethod {
  @ApiProperty({ enum: CARD_NETWORKS, example: 'visa' })
  type!: CardNetwork;

  @ApiProperty({ type: [String], example: ['proc_stg_4f8Kd2mQ9xTa'], description: 'Active processors that take the network (and the currency, when one was asked for), in connection order' })
  processor_ids!: string[];
}

/** What GET /v1/payment-methods answers. */
export class PaymentMethodList {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: String, nullable: true, example: 'EUR', description: 'The currency asked for; null: any currency' })
  currency!: string | null;

  @ApiProperty({ type: [PaymentMethod], description: 'Only networks that at least one processor takes' })
  methods!: PaymentMethod[];
}
