import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { FailedPaymentLimit } from '@payments/domain';
import { CardTestingRefusals } from '@payments/orchestration';
import { MetricsService } from '../../ops/metrics.service';

export type RefusalCounts = Record<FailedPaymentLimit, number>;

export const noRefusals = (): RefusalCounts => ({ session: 0, fingerprint: 0, address: 0 });

/** Where the dashboard's refusal counts per account are kept. */
export interface RefusalTally {
  add(accountId: string, limit: FailedPaymentLimit): Promise<void>;
  of(accountId: string): Promise<RefusalCounts>;
}

/** This process's refusals since it started (neither REDIS_URL nor POSTGRES_URL). */
export class InProcessRefusalTally implements RefusalTally {
  private readonly counts = new Map<string, RefusalCounts>();

  async add(accountId: string, limit: FailedPaymentLimit): Promise<void> {
    const counts = this.counts.get(accountId) ?? noRefusals();
    counts[limit]++;
    this.counts.set(accountId, counts);
  }

  async of(accountId: string): Promise<RefusalCounts> {
    return { ...(this.counts.get(accountId) ?? noRefusals()) };
  }
}

/** Every process's refusals, kept across restarts, in one hash per account. */
export class RedisRefusalTally implements RefusalTally {
  constructor(private readonly redis: Redis) {}

  async add(accountId: string, limit: FailedPaymentLimit): Promise<void> {
    await this.redis.hincrby(keyOf(accountId), limit, 1);
  }

  async of(accountId: string): Promise<RefusalCounts> {
    const stored = await this.redis.hgetall(keyOf(accountId));
    const counts = noRefusals();
    for (const limit of Object.keys(counts) as FailedPaymentLimit[]) counts[limit] = Number(stored[limit] ?? 0);
    return counts;
  }
}

const keyOf = (accountId: string) => `card-testing-refusals:${accountId}`;

/**
 * Counts each card-testing refusal into `/metrics` (this process's) and per account for the
 * dashboard (the tally: every process's with REDIS_URL or POSTGRES_URL). A count the dashboard
 * cannot store is logged, and still in `/metrics`; the refusal itself is never held up by it.
 */
export class CardTestingRefusalCounts implements CardTestingRefusals {
  private readonly logger = new Logger('CardTesting');

  constructor(
    private readonly metrics: MetricsService,
    private readonly tally: RefusalTally,
  ) {}

  record(accountId: string, limit: FailedPaymentLimit): void {
    this.metrics.recordCardTestingRefusal(limit);
    this.tally.add(accountId, limit).catch((error: unknown) => this.logger.warn(`a ${limit} refusal of account ${accountId} could not be counted for the dashboard: ${String(error)}`));
  }

  /** The account's refusals by the limit reached. */
  async of(accountId: string): Promise<RefusalCounts> {
    return this.tally.of(accountId);
  }
}
