import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { BinRange, longestPrefixMatch } from '@payments/domain';
import { describeError } from '../describe-error';
import { BinTableVersion, BinTableWriter, ReplaceOptions, ServedBinTable } from './bin-table-store';

/*
 * Keys (under the client's keyPrefix):
 *   bins:version          JSON of the served table's BinTableVersion; absent before the first import
 *   bins:ranges:<id>      hash bin_prefix -> "country,network,funding" of table <id>
 * An import writes a new ranges hash beside the served one, then one script points bins:version
 * at it, deletes the old hash and publishes the new version on the channel `<keyPrefix>bins:imported`
 * (channels get no keyPrefix from ioredis), on which every service process reloads its copy.
 */
const VERSION_KEY = 'bins:version';
const RANGES_KEY = 'bins:ranges:';
const CHANNEL = 'bins:imported';

/** Fields per HSET while importing: a few milliseconds of Redis each. */
const HSET_CHUNK = 5000;

/** KEYS[1] version key, KEYS[2] ranges key prefix; ARGV[1] new version JSON, ARGV[2] channel. */
const SWAP_SCRIPT = `
local old = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1])
if old then redis.call('UNLINK', KEYS[2] .. cjson.decode(old).id) end
redis.call('PUBLISH', ARGV[2], ARGV[1])
return 1`;

/** KEYS[1] version key, KEYS[2] ranges key prefix: the version and its ranges read together, so no swap falls between. */
const LOAD_SCRIPT = `
local version = redis.call('GET', KEYS[1])
if not version then return false end
return {version, redis.call('HGETALL', KEYS[2] .. cjson.decode(version).id)}`;

interface BinTableCommands {
  binTableSwap(versionKey: string, rangesKey: string, version: string, channel: string): Promise<number>;
  binTableLoad(versionKey: string, rangesKey: string): Promise<[string, string[]] | null>;
}

function withCommands(redis: Redis): Redis & BinTableCommands {
  redis.defineCommand('binTableSwap', { numberOfKeys: 2, lua: SWAP_SCRIPT });
  redis.defineCommand('binTableLoad', { numberOfKeys: 2, lua: LOAD_SCRIPT });
  return redis as Redis & BinTableCommands;
}

function channelOf(redis: Redis): string {
  return `${redis.options.keyPrefix ?? ''}${CHANNEL}`;
}

/** The import's side (the CLI): writes a new table beside the served one and swaps it in. The client is the caller's. */
export class RedisBinTableWriter implements BinTableWriter {
  readonly where: string;
  private readonly redis: Redis & BinTableCommands;

  constructor(redis: Redis) {
    this.redis = withCommands(redis);
    this.where = `Redis (REDIS_URL), keys under ${redis.options.keyPrefix ?? ''}bins:`;
  }

  async replace(ranges: readonly BinRange[], { source, importedAt, onProgress }: ReplaceOptions): Promise<BinTableVersion> {
    const version: BinTableVersion = { id: `bins_${importedAt.getTime()}_${randomBytes(4).toString('hex')}`, imported_at: importedAt.toISOString(), source, ranges: ranges.length };
    await this.deleteAbandoned();
    const key = RANGES_KEY + version.id;
    for (let start = 0; start < ranges.length; start += HSET_CHUNK) {
      const fields = ranges.slice(start, start + HSET_CHUNK).flatMap((range) => [range.bin_prefix, `${range.country},${range.network},${range.funding}`]);
      await this.redis.hset(key, ...fields);
      onProgress?.(Math.min(start + HSET_CHUNK, ranges.length));
    }
    await this.redis.binTableSwap(VERSION_KEY, RANGES_KEY, JSON.stringify(version), channelOf(this.redis));
    return version;
  }

  async version(): Promise<BinTableVersion | null> {
    const stored = await this.redis.get(VERSION_KEY);
    return stored === null ? null : (JSON.parse(stored) as BinTableVersion);
  }

  async close(): Promise<void> {}

  /** Ranges hashes of imports stopped before their swap: never served, so nothing reads them. */
  private async deleteAbandoned(): Promise<void> {
    const prefix = this.redis.options.keyPrefix ?? '';
    const served = await this.version();
    let cursor = '0';
    do {
      // SCAN's pattern and answers are whole key names: ioredis adds no keyPrefix to them.
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${prefix}${RANGES_KEY}*`, 'COUNT', 1000);
      cursor = next;
      const abandoned = keys.map((key) => key.slice(prefix.length)).filter((key) => key !== (served && RANGES_KEY + served.id));
      if (abandoned.length > 0) await this.redis.unlink(...abandoned);
    } while (cursor !== '0');
  }
}

/**
 * The service's side: a copy of the table in memory, so that a lookup is synchronous. It is
 * loaded at start, again on every import's notice, and again whenever the notice connection
 * (re)connects, since a notice sent while it was down is lost. Until the first load, and while
 * Redis cannot be read, the copy it has is used (none at first: every BIN unknown).
 */
export interface BinTableLog {
  log(message: string): void;
  warn(message: string): void;
}

export class RedisBinTableMirror implements ServedBinTable {
  private readonly redis: Redis & BinTableCommands;
  private subscriber: Redis | undefined;
  private ranges = new Map<string, BinRange>();
  private loadedId: string | null = null;
  private loading: Promise<void> = Promise.resolve();

  constructor(
    redis: Redis,
    private readonly logger: BinTableLog,
  ) {
    this.redis = withCommands(redis);
  }

  lookup(digits: string): BinRange | undefined {
    return longestPrefixMatch(digits, (prefix) => this.ranges.get(prefix));
  }

  /** The id of the table the copy holds; null: none loaded. */
  get servedId(): string | null {
    return this.loadedId;
  }

  async start(): Promise<void> {
    const subscriber = this.redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on('error', () => undefined);
    subscriber.on('message', () => void this.reload());
    // 'ready' comes after every (re)connection, once ioredis has subscribed again.
    subscriber.on('ready', () => void this.reload());
    await subscriber.subscribe(channelOf(this.redis)).catch((error) => this.logger.warn(`cannot listen for BIN table imports yet: ${describeError(error)}`));
    await this.reload();
  }

  /** Loads the served table unless the copy already is it; loads run one at a time. */
  reload(): Promise<void> {
    this.loading = this.loading.then(() => this.load());
    return this.loading;
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    await this.loading;
  }

  private async load(): Promise<void> {
    try {
      const current = await this.redis.get(VERSION_KEY);
      const id = current === null ? null : (JSON.parse(current) as BinTableVersion).id;
      if (id === this.loadedId) return;
      const loaded = await this.redis.binTableLoad(VERSION_KEY, RANGES_KEY);
      const ranges = new Map<string, BinRange>();
      const fields = loaded?.[1] ?? [];
      for (let i = 0; i < fields.length; i += 2) {
        const [country, network, funding] = fields[i + 1].split(',');
        ranges.set(fields[i], { bin_prefix: fields[i], country, network, funding } as BinRange);
      }
      this.ranges = ranges;
      this.loadedId = loaded === null ? null : (JSON.parse(loaded[0]) as BinTableVersion).id;
      this.logger.log(`BIN table ${this.loadedId ?? '(none)'} loaded: ${ranges.size} ranges`);
    } catch (error) {
      this.logger.warn(`cannot load the BIN table from Redis, keeping the copy held (${this.ranges.size} ranges): ${describeError(error)}`);
    }
  }
}
