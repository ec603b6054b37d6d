import { Settings } from '@payments/orchestration/settings';
import { BinTableWriter } from '@payments/read-models/bin-table/bin-table-store';
import { RedisBinTableWriter } from '@payments/read-models/bin-table/redis-bin-table';
import { SqliteBinTable } from '@payments/read-models/bin-table/sqlite-bin-table';
import { connectRedis } from '../stores';

/**
 * The BIN table the service reads with the same settings (libs/orchestration's BinTableModule
 * chooses alike): Redis with REDIS_URL, else `<DATA_DIR>/bins.db`, created when missing, so that
 * a table can be imported before the service first starts.
 */
export async function openBinTableWriter(settings: Settings): Promise<BinTableWriter> {
  if (!settings.redisUrl) return new SqliteBinTable({ dataDir: settings.dataDir });
  const redis = await connectRedis(settings.redisUrl, settings.redisKeyPrefix);
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
