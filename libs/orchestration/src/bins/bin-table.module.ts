import { Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { RedisBinTableMirror, ServedBinTable, SqliteBinTable } from '@payments/read-models/bin-table';
import { Settings } from '../settings';
import { REDIS, SETTINGS } from '../tokens';

/** The BIN table as the service reads it (BinLookup): where `npm run cli -- bins import` writes it. */
export const BIN_TABLE = Symbol('BinTable');

/**
 * Chooses the BIN table's store from the settings exactly as the CLI's import does (REDIS_URL:
 * Redis, else `<DATA_DIR>/bins.db`), so that the service reads what the operator imported.
 */
export function servedBinTable(settings: Pick<Settings, 'dataDir'>, redis: Redis | null): ServedBinTable {
  return redis ? new RedisBinTableMirror(redis, new Logger('BinTable')) : new SqliteBinTable({ dataDir: settings.dataDir });
}

@Module({
  providers: [{ provide: BIN_TABLE, inject: [SETTINGS, REDIS], useFactory: (settings: Settings, redis: Redis | null) => servedBinTable(settings, redis) }],
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
