import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../http/page.schema';

// What presentAccount and presentOpenedAccount answer, field by field.

export class Account {
  @ApiProperty({ example: 'acc_stg_sandbox' })
  id!: string;

  @ApiProperty({ enum: ['account'] })
  object!: 'account';

  @ApiProperty({ example: 'Acme Shop' })
  name!: string;

  @ApiProperty({ type: String, nullable: true, example: 'proc_stg_4f8Kd2mQ9xTa', description: 'Tried first when no route applies; the first processor connected, until changed' })
  default_processor_id!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Route of sessions that name none' })
  default_processor_route_id!: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  created_at!: string;
}

export class OpenedAccount extends Account {
  @ApiProperty({ example: 'st_stg_7Hq2LmP9sW4xKd8ZbN3vYc', description: 'Shown only in this answer: only its hash is kept' })
  secret_token!: string;

  @ApiProperty({ example: 'pt_stg_2Rk8VnQ5tJ7wLp4XcM9dFa', description: 'Shown only in this answer: only its hash is kept' })
  publishable_token!: string;
}

export const AccountPage = PageOf(Account);
