import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import type Redis from 'ioredis';
import type { EventStore } from '@payments/event-store';
import type { ReadModelStore } from '@payments/read-models';
import { EVENT_STORE, READ_MODEL_STORE, REDIS } from '@payments/orchestration';

export type DependencyState = 'up' | 'down' | 'not_configured';

export interface ReadinessChecks {
  event_store: DependencyState;
  read_models: DependencyState;
  redis: DependencyState;
}

/**
 * A dependency that has not answered by then counts as down: an orchestrator's probe gives
 * up after about a second (Kubernetes' default timeout) and would learn nothing from waiting.
 */
const PING_TIMEOUT_MS = 1000;

/** Whether the dependencies a request needs answer now. */
@Injectable()
export class ReadinessProbe {
  private readonly logger = new Logger(ReadinessProbe.name);

  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  async check(): Promise<ReadinessChecks> {
    const redis = this.redis;
    const [eventStore, readModels, redisState] = await Promise.all([
      this.ping('event_store', () => this.eventStore.ping()),
      this.ping('read_models', () => this.readModels.ping()),
      redis ? this.ping('redis', () => redis.ping()) : ('not_configured' as const),
    ]);
    return { event_store: eventStore, read_models: readModels, redis: redisState };
  }

  private async ping(dependency: keyof ReadinessChecks, ping: () => Promise<unknown>): Promise<DependencyState> {
    const timer = new AbortController();
    try {
      await Promise.race([
        ping(),
        delay(PING_TIMEOUT_MS, undefined, { signal: timer.signal }).then(() => {
          throw new Error(`no answer within ${PING_TIMEOUT_MS} ms`);
        }),
      ]);
      return 'up';
    } catch (error) {
      // The cause goes to the log only: the readiness answer is public.
      this.logger.warn(`${dependency} is down: ${error instanceof Error ? error.message : String(error)}`);
      return 'down';
    } finally {
      timer.abort();
    }
  }
}

export function isReady(checks: ReadinessChecks): boolean {
  return Object.values(checks).every((state) => state !== 'down');
}
