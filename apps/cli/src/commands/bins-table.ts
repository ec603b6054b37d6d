import { Settings } from '@payments/orchestration/settings';
import { BinTableWriter } from '@payments/read-models/bin-table/bin-table-store';
import { PostgresBinTableWriter } from '@payments/read-models/bin-table/postgres-bin-table';
import { RedisBinTableWriter } from '@payments/read-models/bin-table/redis-bin-table';
import { SqliteBinTable } from '@payments/read-models/bin-table/sqlite-bin-table';
import { connectPostgres, connectRedis } from '../stores';

/**
 * The BIN table the service reads with the same settings (libs/orchestration's BinTableModule
 * chooses alike): Redis with REDIS_URL, else PostgreSQL with POSTGRES_URL, else
 * `<DATA_DIR>/bins.db`, created when missing, so that a table can be imported before the service
 * first starts.
 */
export async function openBinTableWriter(settings: Settings): Promise<BinTableWriter> {
  if (settings.redisUrl) {
    const redis = await connectRedis(settings.redisUrl, settings.redisKeyPrefix);
    return closingWith(new RedisBinTableWriter(redis), () => redis.quit().then(() => undefined));
  }
  if (settings.postgresUrl) {
    const pool = await connectPostgres(settings.postgresUrl);
    try {
      return closingWith(await PostgresBinTableWriter.open(pool), () => pool.end());
    } catch (error) {
      await pool.end();
      throw error;
    }
  }
  return new SqliteBinTable({ dataDir: settings.dataDir });
}

/** The writer, closing the connection the command opened for it. */
function closingWith(writer: BinTableWriter, close: () => Promise<void>): BinTableWriter {
  return {
    where: writer.where,
    replace: (ranges, options) => writer.replace(ranges, options),
    version: () => writer.version(),
    close,
  };
}
