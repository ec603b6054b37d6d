import { ApiProperty } from '@nestjs/swagger';
import { ProblemDetails } from '../http/api-problems';

// What HealthController answers.

export class Liveness {
  @ApiProperty({ enum: ['ok'] })
  status!: 'ok';
}

const DEPENDENCY_STATE = { enum: ['up', 'down', 'not_configured'] } as const;

export class ReadinessChecks {
  @ApiProperty({ ...DEPENDENCY_STATE, example: 'up' })
  event_store!: string;

  @ApiProperty({ ...DEPENDENCY_STATE, example: 'up' })
  read_models!: string;

  @ApiProperty({ ...DEPENDENCY_STATE, example: 'not_configured', description: 'not_configured without REDIS_URL' })
  redis!: string;
}

export class Readiness {
  @ApiProperty({ enum: ['ready'] })
  status!: 'ready';

  @ApiProperty({ type: ReadinessChecks })
  checks!: ReadinessChecks;
}

/** The 503 of GET /health/ready: problem details (type about:blank) with the state of each dependency. */
export class NotReady extends ProblemDetails {
  @ApiProperty({ type: ReadinessChecks })
  checks!: ReadinessChecks;
}
