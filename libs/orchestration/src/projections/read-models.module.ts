import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { Projection, ReadModelStore, allProjections, createReadModelStore } from '@payments/read-models';
import { Settings } from '../settings';
import { POSTGRES, REDIS, SETTINGS } from '../tokens';
import { ProjectionsService } from './projections.service';
import { PROJECTIONS, READ_MODEL_STORE } from './read-models.tokens';

/**
 * The read-model store and the projections that fill it. Global, so feature modules inject
 * READ_MODEL_STORE and ProjectionsService without importing it. Needs InfrastructureModule.
 */
@Global()
@Module({})
export class ReadModelsModule implements OnApplicationShutdown {
  static forRoot(options: { projections?: readonly Projection[] } = {}): DynamicModule {
    return {
      module: ReadModelsModule,
      providers: [
        {
          provide: READ_MODEL_STORE,
          inject: [SETTINGS, REDIS, POSTGRES],
          useFactory: (settings: Settings, redis: Redis | null, postgres: Pool | null) => createReadModelStore({ redis, postgres, dataDir: settings.dataDir }),
        },
        { provide: PROJECTIONS, useValue: options.projections ?? allProjections },
        ProjectionsService,
      ],
      exports: [READ_MODEL_STORE, ProjectionsService],
    };
  }

  constructor(@Inject(READ_MODEL_STORE) private readonly store: ReadModelStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
