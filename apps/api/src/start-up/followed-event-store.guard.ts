import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { EventStore } from '@payments/event-store';
import { EVENT_STORE, READ_MODEL_STORE, SETTINGS, Settings } from '@payments/orchestration';
import { ReadModelStore, ReadModelsFollowAnotherStore, allProjections, checkFollowedEventStore } from '@payments/read-models';
import { isDependencyDown } from '../http/dependency-failure';

/** Start-up refused: the read models belong to another event store. main.ts prints the message alone and exits 1. */
export class ReadModelsOfAnotherStore extends Error {
  override name = 'ReadModelsOfAnotherStore';
}

/** How often the check is tried again while the read-model store (Redis) cannot be reached at start. */
const RETRY_MS = 1000;

/**
 * Before any projection, the saga or the webhook dispatcher reads a checkpoint (they start at
 * application bootstrap, after every module's init), makes sure the read models follow this
 * event store (checkFollowedEventStore). Refuses to start on a mismatch, with what to do, unless
 * READ_MODELS_ON_MISMATCH=rebuild, which resets the read models of allProjections, those the
 * service runs.
 *
 * The service starts while Redis is down (readiness says so): then nothing can commit to the
 * read models anyway, and the check runs again every second until Redis answers; a mismatch
 * found then stops the process, since it can no longer refuse to start.
 */
@Injectable()
export class FollowedEventStoreGuard implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('StartUp');
  private retry: NodeJS.Timeout | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.check();
    } catch (error) {
      if (!isDependencyDown(error)) throw error;
      this.logger.warn(`cannot check which event store the read models follow yet (${(error as Error).message}); trying again every ${RETRY_MS} ms`);
      this.scheduleRetry();
    }
  }

  onApplicationShutdown(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
  }

  private scheduleRetry(): void {
    this.retry = setTimeout(() => {
      this.check().then(
        () => (this.retry = undefined),
        (error: unknown) => {
          if (this.retry === undefined) return;
          if (isDependencyDown(error)) return this.scheduleRetry();
          // Too late to refuse the start: stop, before the projections commit over the read models of another store.
          process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
          process.exit(1);
        },
      );
    }, RETRY_MS);
    this.retry.unref();
  }

  private async check(): Promise<void> {
    let result;
    try {
      result = await checkFollowedEventStore(this.events, this.readModels, allProjections, this.settings.readModelsOnMismatch);
    } catch (error) {
      if (error instanceof ReadModelsFollowAnotherStore) throw new ReadModelsOfAnotherStore(refusal(error, this.settings));
      throw error;
    }
    if (result.outcome === 'adopted') this.logger.log(`the read models (${readModelsPlace(this.settings)}) now follow event store ${result.identity}`);
    if (result.outcome === 'rebuilt') {
      this.logger.warn(
        `the read models (${readModelsPlace(this.settings)}) followed event store ${result.followed ?? '(unrecorded)'}, not this one (${result.identity}): ` +
          'deleted as READ_MODELS_ON_MISMATCH=rebuild says; they are rebuilt from this event store now',
      );
    }
  }
}

/** What the operator reads when start-up refuses: what is wrong, why it matters, and the ways out. */
function refusal(mismatch: ReadModelsFollowAnotherStore, settings: Settings): string {
  const redis = settings.redisUrl !== undefined;
  return [
    `Refusing to start: the read models (${readModelsPlace(settings)}) belong to another event store than this one (${eventStorePlace(settings)}).`,
    `  ${mismatch.message}.`,
    "  Their checkpoints are positions in the other store's log, so this store's events would be skipped and lists would stay empty.",
    '  Do one of these:',
    `  - start with the event store they belong to (${settings.eventStoreConnectionString ? 'EVENTSTORE_CONNECTION_STRING' : 'DATA_DIR'});`,
    redis ? '  - give this event store read models of its own: another REDIS_KEY_PREFIX (or another Redis);' : '  - give this event store read models of its own: remove read-models.db* from DATA_DIR;',
    '  - or start once with READ_MODELS_ON_MISMATCH=rebuild to delete these read models and rebuild them from this event store.',
  ].join('\n');
}

/** Where the read models live, without the credentials a REDIS_URL may hold. */
function readModelsPlace(settings: Settings): string {
  if (settings.redisUrl === undefined) return `${settings.dataDir}/read-models.db`;
  return `Redis ${hostOf(settings.redisUrl)} under key prefix "${settings.redisKeyPrefix}"`;
}

function eventStorePlace(settings: Settings): string {
  if (settings.eventStoreConnectionString === undefined) return `${settings.dataDir}/events.db`;
  return `EventStoreDB ${hostOf(settings.eventStoreConnectionString)}`;
}

/** host:port of a connection string; a cluster's list of hosts is not a URL the parser takes. */
function hostOf(connectionString: string): string {
  try {
    return new URL(connectionString).host;
  } catch {
    return '(the configured server)';
  }
}
