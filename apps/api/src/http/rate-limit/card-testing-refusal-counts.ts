import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { FailedPaymentLimit } from '@payments/domain';
import { CardTestingRefusals } from '@payments/orchestration';
import { MetricsService } from '../../ops/metrics.service';

export type RefusalCounts = Record<FailedPaymentLimit, number>;

const none = (): RefusalCounts => ({ session: 0, fingerprint: 0, address: 0 });

/**
 * Counts each card-testing refusal into `/metrics` and per account for the dashboard: in Redis
 * with REDIS_URL (every process's refusals, kept across restarts), else in this process since
 * it started. A count the dashboard cannot store is logged, and still in `/metrics`.
 */
export class CardTestingRefusalCounts implements CardTestingRefusals {
  private readonly logger = new Logger('CardTesting');
  private readonly inProcess = new Map<string, RefusalCounts>();

  constructor(
    private readonly metrics: MetricsService,
    private readonly redis: Redis | null,
  ) {}

  record(accountId: string, limit: FailedPaymentLimit): void {
    this.metrics.recordCardTestingRefusal(limit);
    if (this.redis === null) {
      const counts = this.inProcess.get(accountId) ?? none();
      counts[limit]++;
      this.inProcess.set(accountId, counts);
      return;
    }
    this.redis.hincrby(keyOf(accountId), limit, 1).catch((error: unknown) => this.logger.warn(`a ${limit} refusal of account ${accountId} could not be counted for the dashboard: ${String(error)}`));
  }

  /** The account's refusals by the limit reached. */
  async of(accountId: string): Promise<RefusalCounts> {
    if (this.redis === null) return { ...(this.inProcess.get(accountId) ?? none()) };
    const stored = await this.redis.hgetall(keyOf(accountId));
    const counts = none();
    for (const limit of Object.keys(counts) as FailedPaymentLimit[]) counts[limit] = Number(stored[limit] ?? 0);
    return counts;
  }
}

const keyOf = (accountId: string) => `card-testing-refusals:${accountId}`;
