import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, ValidateIf } from 'class-validator';
import { WEBHOOK_EVENT_TYPES, WebhookDeliveryStatus, WebhookEndpointStatus } from '@payments/domain';
import { PaginationQuery } from '../http/pagination';

const EVENT_NAMES = [...WEBHOOK_EVENT_TYPES, '*'];
const EVENTS_RULE = 'Distinct webhook event types, or `["*"]` alone for every type (also those added later). An unknown or repeated name is 422.';
const URL_RULE =
  'An absolute http or https URL of at most 2048 characters, without a user name or password (422). In prod (PAYMENTS_ENV=prod) it must be https and its host must not resolve ' +
  'to a loopback, private or link-local address (422), unless WEBHOOK_ALLOW_PRIVATE_URLS=true lifts the address rule; the host is resolved again before every try.';

export class CreateWebhookEndpointDto {
  @ApiProperty({ example: 'https://shop.example/webhooks', description: URL_RULE })
  @IsString()
  url!: string;

  @ApiProperty({ type: [String], enum: EVENT_NAMES, example: ['payment.succeeded', 'checkout.session.completed'], description: EVENTS_RULE })
  @IsArray()
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length + 1)
  @IsString({ each: true })
  events!: string[];

  @ApiPropertyOptional({ type: String, nullable: true, example: 'Order fulfilment', maxLength: 500 })
  @IsOptional()
  @IsString()
  description?: string | null;
}

/** Optional but not nullable: `null` is checked, and refused, like any value of the wrong type (IsOptional would let it through). */
const Given = () => ValidateIf((_, value) => value !== undefined);

export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({ example: 'https://shop.example/webhooks/v2', description: `${URL_RULE} Pending deliveries go to the new URL at their next try.` })
  @Given()
  @IsString()
  url?: string;

  @ApiPropertyOptional({ type: [String], enum: EVENT_NAMES, example: ['*'], description: EVENTS_RULE })
  @Given()
  @IsArray()
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length + 1)
  @IsString({ each: true })
  events?: string[];

  @ApiPropertyOptional({
    enum: ['enabled', 'disabled'],
    description: 'A disabled endpoint gets no delivery of events stored meanwhile; its pending deliveries are held and go on at their schedule once it is enabled again.',
  })
  @Given()
  @IsIn(['enabled', 'disabled'])
  status?: WebhookEndpointStatus;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'null clears it.', maxLength: 500 })
  @IsOptional()
  @IsString()
  description?: string | null;
}

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;

export class ListWebhookDeliveriesQuery extends PaginationQuery {
  @ApiPropertyOptional({ enum: WEBHOOK_DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(WEBHOOK_DELIVERY_STATUSES)
  status?: WebhookDeliveryStatus;
}
