import { Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { RedisBinTableMirror, ServedBinTable, SqliteBinTable } from '@payments/read-models/bin-table';
import { PostgresBinTableMirror } from '@payments/read-models/bin-table/postgres-bin-table';
import { Settings } from '../settings';
import { POSTGRES, REDIS, SETTINGS } from '../tokens';

/** The BIN table as the service reads it (BinLookup): where `npm run cli -- bins import` writes it. */
export const BIN_TABLE = Symbol('BinTable');

/**
 * Chooses the BIN table's store from the settings exactly as the CLI's import does (REDIS_URL:
 * Redis, else POSTGRES_URL: PostgreSQL, else `<DATA_DIR>/bins.db`), so that the service reads
 * what the operator imported, and every process of a deployment on a shared store the same table.
 */
export function servedBinTable(settings: Pick<Settings, 'dataDir'>, redis: Redis | null, postgres: Pool | null): ServedBinTable {
  if (redis) return new RedisBinTableMirror(redis, new Logger('BinTable'));
  return postgres ? new PostgresBinTableMirror(postgres, new Logger('BinTable')) : new SqliteBinTable({ dataDir: settings.dataDir });
}

@Module({
  providers: [
    {
      provide: BIN_TABLE,
      inject: [SETTINGS, REDIS, POSTGRES],
      useFactory: (settings: Settings, redis: Redis | null, postgres: Pool | null) => servedBinTable(settings, redis, postgres),
    },
  ],
  exports: [BIN_TABLE],
})
export class BinTableModule implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(BIN_TABLE) private readonly table: ServedBinTable) {}

  /** Before the first request: a card summarised before the table is read would be an unknown BIN. */
  async onModuleInit(): Promise<void> {
    await this.table.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.table.close();
  }
}
