import { ApiProperty } from '@nestjs/swagger';
import { WEBHOOK_EVENT_TYPES, WebhookDeliveryStatus, WebhookEndpointStatus } from '@payments/domain';
import { PageOf } from '../http/page.schema';
import { CreateWebhookEndpointDto } from './webhook-endpoint.dto';

// What the presenters of webhook-endpoint.presenter.ts answer, field by field.

export class WebhookEndpoint {
  @ApiProperty({ example: 'we_stg_7Qm2Lx9Kd4Tb8Wz3Hs1N' })
  id!: string;

  @ApiProperty({ enum: ['webhook_endpoint'] })
  object!: 'webhook_endpoint';

  @ApiProperty({ example: 'https://shop.example/webhooks' })
  url!: string;

  @ApiProperty({ type: [String], enum: [...WEBHOOK_EVENT_TYPES, '*'], example: ['payment.succeeded', 'checkout.session.completed'] })
  events!: string[];

  @ApiProperty({ type: String, nullable: true, example: 'Order fulfilment' })
  description!: string | null;

  @ApiProperty({ enum: ['enabled', 'disabled'] })
  status!: WebhookEndpointStatus;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  updated_at!: string;
}

export class WebhookEndpointWithSecret extends WebhookEndpoint {
  @ApiProperty({
    example: 'whsec_3kQm9Lx2Td8Wz4Hs1NcVb7Rf5Gy0Pa6J',
    description: 'The signing secret, shown only in this answer: the HMAC-SHA256 key of PaymentKit-Signature, used as the whole string. See docs/webhooks.md.',
  })
  secret!: string;
}

export const WebhookEndpointPage = PageOf(WebhookEndpoint);

export class WebhookDeliveryAttempt {
  @ApiProperty({ format: 'date-time', description: 'When the try was sent' })
  at!: string;

  @ApiProperty({ type: 'integer', nullable: true, example: 500, description: 'The HTTP status answered; null when no answer came' })
  status_code!: number | null;

  @ApiProperty({ type: 'integer', example: 38 })
  duration_ms!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'no answer within 10000 ms',
    description: 'Why the try got no answer, or why an answer did not count (a redirect); null for a plain HTTP answer',
  })
  error!: string | null;
}

export class WebhookDelivery {
  @ApiProperty({ example: 'whd_stg_5f0c8e2a9b7d4c1e3f6a8b0c2d4e6f80' })
  id!: string;

  @ApiProperty({ enum: ['webhook_delivery'] })
  object!: 'webhook_delivery';

  @ApiProperty({ example: 'we_stg_7Qm2Lx9Kd4Tb8Wz3Hs1N' })
  endpoint_id!: string;

  @ApiProperty({ example: 'evt_stg_0f8e7d6c5b4a39281706f5e4d3c2b1a0', description: 'The id of the webhook sent (its `id`), the stored event it was made from' })
  event_id!: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES })
  type!: string;

  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] })
  status!: WebhookDeliveryStatus;

  @ApiProperty({ type: [WebhookDeliveryAttempt], description: 'Every try, oldest first' })
  attempts!: WebhookDeliveryAttempt[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the next try is due; null once succeeded or failed' })
  next_attempt_at!: string | null;

  @ApiProperty({ format: 'date-time', description: 'When the event delivered was stored' })
  created_at!: string;
}

export const WebhookDeliveryPage = PageOf(WebhookDelivery);

export const CREATE_WEBHOOK_ENDPOINT_EXAMPLE: CreateWebhookEndpointDto = {
  url: 'https://shop.example/webhooks',
  events: ['payment.succeeded', 'checkout.session.completed'],
  description: 'Order fulfilment',
};

export const WEBHOOK_ENDPOINT_EXAMPLE: WebhookEndpointWithSecret = {
  id: 'we_stg_7Qm2Lx9Kd4Tb8Wz3Hs1N',
  object: 'webhook_endpoint',
  url: 'https://shop.example/webhooks',
  events: ['payment.succeeded', 'checkout.session.completed'],
  description: 'Order fulfilment',
  status: 'enabled',
  secret: 'whsec_3kQm9Lx2Td8Wz4Hs1NcVb7Rf5Gy0Pa6J',
  created_at: '2026-11-21T10:00:00.000Z',
  updated_at: '2026-11-21T10:00:00.000Z',
};
