import { ApiProperty } from '@nestjs/swagger';
import { CARD_NETWORKS, CardNetwork, ConnectorKind, ProcessorStatus, SimulatorOutcome, SimulatorRefundOutcome } from '@payments/domain';
import { PageOf } from '../http/page.schema';
import { CreateProcessorDto } from './processor.dto';

// What presentProcessor answers, field by field (the e2e test openapi.e2e-spec.ts holds the two together).

export class ProcessorFees {
  @ApiProperty({ example: 2.9, description: 'Percent of the amount' })
  percent!: number;

  @ApiProperty({ type: 'integer', example: 30, description: 'Fixed fee in minor units' })
  fixed!: number;
}

export class SimulatorSettings {
  @ApiProperty({ enum: ['approve', 'decline', 'timeout', 'error'], example: 'approve' })
  outcome!: SimulatorOutcome;

  @ApiProperty({ example: '05', description: 'The code of a `decline` outcome' })
  decline_code!: string;

  @ApiProperty({ type: 'integer', example: 0 })
  latency_ms!: number;

  @ApiProperty({ example: false, description: 'Declines the first try, approves an optimized retry' })
  approve_optimized_retry!: boolean;

  @ApiProperty({ example: false, description: 'With outcome `timeout` or `error`: approves and keeps the charge although the answer is lost' })
  charge_on_timeout!: boolean;

  @ApiProperty({ enum: ['succeed', 'fail'], example: 'succeed', description: 'Whether refunds succeed or fail (code `refund_declined`)' })
  refund_outcome!: SimulatorRefundOutcome;

  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 1, example: null, description: 'The share of payments approved; null: `outcome` alone decides' })
  approval_rate!: number | null;
}

export class ProcessorEndpoint {
  @ApiProperty({ example: 'https://processor.example/authorize', description: 'The signing secret is write-only and never shown.' })
  url!: string;
}

export class Processor {
  @ApiProperty({ example: 'proc_stg_4f8Kd2mQ9xTa' })
  id!: string;

  @ApiProperty({ enum: ['processor'] })
  object!: 'processor';

  @ApiProperty({ example: 'Acme EU' })
  name!: string;

  @ApiProperty({ enum: ['simulator', 'http'] })
  connector!: ConnectorKind;

  @ApiProperty({ type: [String], example: ['EUR'], description: 'Empty: all currencies' })
  supported_currencies!: string[];

  @ApiProperty({ enum: CARD_NETWORKS, isArray: true, example: ['visa', 'mastercard'], description: 'Empty: all networks' })
  supported_networks!: CardNetwork[];

  @ApiProperty({ type: ProcessorFees })
  fees!: ProcessorFees;

  @ApiProperty({ enum: ['active', 'unavailable'], description: 'An unavailable processor is skipped when a payment runs.' })
  status!: ProcessorStatus;

  @ApiProperty({ type: 'integer', example: 5000 })
  timeout_ms!: number;

  @ApiProperty({ type: SimulatorSettings, nullable: true, description: 'null for an http connector' })
  simulator!: SimulatorSettings | null;

  @ApiProperty({ type: ProcessorEndpoint, nullable: true, description: 'null for a simulator' })
  http!: ProcessorEndpoint | null;

  @ApiProperty({ type: 'integer', minimum: 1, example: 4, description: "1 for the account's first processor, and so on" })
  connection_order!: number;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  updated_at!: string;
}

export const ProcessorPage = PageOf(Processor);

/** The README's processor: euros only, Visa and Mastercard, 2.9% + 30, a simulator that declines. */
export const CONNECT_PROCESSOR_EXAMPLE: CreateProcessorDto = {
  name: 'Acme EU',
  connector: 'simulator',
  supported_currencies: ['EUR'],
  supported_networks: ['visa', 'mastercard'],
  fees: { percent: 2.9, fixed: 30 },
  simulator: { outcome: 'decline', decline_code: '51' },
};

export const PROCESSOR_EXAMPLE: Processor = {
  id: 'proc_stg_4f8Kd2mQ9xTa',
  object: 'processor',
  name: 'Acme EU',
  connector: 'simulator',
  supported_currencies: ['EUR'],
  supported_networks: ['visa', 'mastercard'],
  fees: { percent: 2.9, fixed: 30 },
  status: 'active',
  timeout_ms: 5000,
  simulator: { outcome: 'decline', decline_code: '51', latency_ms: 0, approve_optimized_retry: false, charge_on_timeout: false, refund_outcome: 'succeed', approval_rate: null },
  http: null,
  connection_order: 4,
  created_at: '2026-11-21T10:00:00.000Z',
  updated_at: '2026-11-21T10:00:00.000Z',
};
