import Redis from 'ioredis';
import { Settings } from '@payments/orchestration/settings';
import { BinTableWriter } from '@payments/read-models/bin-table/bin-table-store';
import { RedisBinTableWriter } from '@payments/read-models/bin-table/redis-bin-table';
import { SqliteBinTable } from '@payments/read-models/bin-table/sqlite-bin-table';
import { SetupError } from '../output';

/**
 * The BIN table the service reads with the same settings (libs/orchestration's BinTableModule
 * chooses alike): Redis with REDIS_URL, else `<DATA_DIR>/bins.db`, created when missing, so that
 * a table can be imported before the service first starts.
 */
export async function openBinTableWriter(settings: Settings): Promise<BinTableWriter> {
  if (!settings.redisUrl) return new SqliteBinTable({ dataDir: settings.dataDir });
  const redis = new Redis(settings.redisUrl, { keyPrefix: settings.redisKeyPrefix, maxRetriesPerRequest: 2, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new SetupError(`cannot reach Redis at REDIS_URL: ${(error as Error).message}`);
  }
  const writer = new RedisBinTableWriter(redis);
  return {
    where: writer.where,
    replace: (ranges, options) => writer.replace(ranges, options),
    version: () => writer.version(),
    async close() {
      await redis.quit();
    },
  };
}
