import { DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS, PaymentsEnv } from '@payments/domain';
import { isIP } from 'node:net';
import { dataDirSecret } from './data-dir-secrets';

/** Every setting of the service (DESIGN.md "Settings"); all optional, bad values stop start-up. */
export interface Settings {
  port: number;
  /** Base of the links the service hands out (hosted checkout `url`), without a trailing slash. */
  publicUrl: string;
  dataDir: string;
  env: PaymentsEnv;
  eventStoreConnectionString?: string;
  /**
   * POSTGRES_URL: events (unless EVENTSTORE_CONNECTION_STRING is set), read models (unless
   * REDIS_URL is set), leases and the simulator's ledger in PostgreSQL, shared by every process
   * of a deployment.
   */
  postgresUrl?: string;
  redisUrl?: string;
  adminToken?: string;
  sandbox: boolean;
  sandboxSecretToken?: string;
  sandboxPublishableToken?: string;
  payWaitMs: number;
  /** How often GET /v1/events/stream sends a heartbeat comment, so proxies and clients see an idle stream is alive. */
  eventStreamHeartbeatMs: number;
  rateLimitPerSecond: number;
  /** SESSION_MAX_FAILED_PAYMENTS: a checkout session with this many failed payments takes no more (429). */
  sessionMaxFailedPayments: number;
  /** CARD_FAILED_PAYMENTS_PER_HOUR: failed public payments one card (by fingerprint) may have in a clock hour; then 429 until the hour ends. */
  cardFailedPaymentsPerHour: number;
  /** ADDRESS_FAILED_PAYMENTS_PER_HOUR: the same for one client address. */
  addressFailedPaymentsPerHour: number;
  /**
   * TRUST_PROXY: which proxies may tell the client's address in X-Forwarded-For (Express's
   * `trust proxy`): a number of hops, or a list of addresses and subnets. false: the socket's address.
   */
  trustProxy: false | number | string[];
  /** CARD_FINGERPRINT_SECRET as set; unset outside prod, cardFingerprintKey makes one in DATA_DIR. */
  cardFingerprintSecret?: string;
  /** SECRETS_KEY as set (32 bytes, base64); unset outside prod, secretsKeys makes one in DATA_DIR. Seals stored signing secrets. */
  secretsKey?: string;
  /** SECRETS_KEYS_RETIRED: earlier SECRETS_KEY values (comma list), which still open what they sealed but seal nothing. */
  secretsKeysRetired: string[];
  /** Prefix of every Redis key, so several services or test runs can share one Redis. */
  redisKeyPrefix: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** WEBHOOK_ALLOW_PRIVATE_URLS: in prod, webhook URLs may resolve to loopback, private and link-local addresses. */
  webhookAllowPrivateUrls: boolean;
  /** WEBHOOK_RETRY_SCHEDULE: the pauses after each failed webhook try; a delivery has one try more than pauses. */
  webhookRetryScheduleMs: number[];
  /**
   * ATTEMPT_RESOLUTION_BACKOFF: the pauses of the unknown-attempt resolver after each status
   * question or undo call without a definite answer; the last pause repeats until one comes.
   */
  attemptResolutionBackoffMs: number[];
  /**
   * ATTEMPT_RESOLUTION_DELAY: how long after an uncertain outcome was stored the resolver first
   * asks its status, at the least (never sooner than the call's own timeout_ms).
   */
  attemptResolutionDelayMs: number;
  /**
   * READ_MODELS_ON_MISMATCH: what start-up does with read models that follow another event store
   * (a fresh DATA_DIR beside a Redis that served an earlier one): refuse to start (the default),
   * or delete them and rebuild them from this event store.
   */
  readModelsOnMismatch: 'refuse' | 'rebuild';
  /**
   * LEASE_TTL (10s): how long a lease of the competing consumers lasts unless renewed (every
   * third of it): a payment driven (`payment:<id>`), its captures, voids and refunds
   * (`payment-operations:<id>`), a session's pay (`session-pay:<id>`), each projection
   * (`projection:<name>`), the resolver, the webhooks and each sweeper. It is how long work
   * whose process died waits before another process of the deployment takes it over; a process
   * that cannot renew within it stops the work first. From 100ms (tests) to 10m.
   */
  leaseTtlMs: number;
}

/** The resolver's pauses by default: soon, then less and less often, hourly at most. */
export const DEFAULT_ATTEMPT_RESOLUTION_BACKOFF_MS: readonly number[] = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000];

/**
 * The HMAC key of card fingerprints, checkout-page tokens and idempotency fingerprints: the
 * setting, else (outside prod, where the setting is required) a key generated once into
 * DATA_DIR. A fixed default would be public, and with the BIN and last4 an answer shows, a
 * fingerprint under a known key gives the card number back in milliseconds.
 */
export function cardFingerprintKey(settings: Settings): string {
  return settings.cardFingerprintSecret ?? dataDirSecret(settings.dataDir, 'card-fingerprint');
}

/**
 * The AES-256 keys that seal the signing secrets stored in events (processors' http secret,
 * webhook endpoints' secret): SECRETS_KEY, else (outside prod, and with the embedded store only)
 * a key generated once into DATA_DIR/secrets.key; then the retired ones.
 */
export function secretsKeys(settings: Settings): { current: Buffer; retired: Buffer[] } {
  const current = settings.secretsKey ?? dataDirSecret(settings.dataDir, 'secrets');
  return { current: Buffer.from(current, 'base64'), retired: settings.secretsKeysRetired.map((key) => Buffer.from(key, 'base64')) };
}

/** 32 bytes in base64 (or base64url), as `openssl rand -base64 32` prints them. */
function isAes256Key(raw: string): boolean {
  return /^[A-Za-z0-9+/_-]{43}=?$/.test(raw) && Buffer.from(raw, 'base64').length === 32;
}

function secretsKeySettings(env: Env, paymentsEnv: PaymentsEnv): { secretsKey?: string; secretsKeysRetired: string[] } {
  const secretsKey = optional(env, 'SECRETS_KEY');
  const generate = 'generate one with: openssl rand -base64 32';
  if (secretsKey !== undefined && !isAes256Key(secretsKey)) throw new SettingsError('SECRETS_KEY', `must be 32 bytes in base64; ${generate}`);
  if (paymentsEnv === 'prod' && secretsKey === undefined) throw new SettingsError('SECRETS_KEY', `must be set when PAYMENTS_ENV=prod; ${generate}`);
  // As CARD_FINGERPRINT_SECRET: a key in DATA_DIR is not shared by the processes of a server store.
  const shared = sharedStoreSetting(env);
  if (shared !== undefined && secretsKey === undefined) {
    throw new SettingsError('SECRETS_KEY', `must be set when ${shared} is set, the same for every process of the deployment`);
  }
  const retired = (optional(env, 'SECRETS_KEYS_RETIRED') ?? '').split(',').map((key) => key.trim()).filter((key) => key !== '');
  if (retired.some((key) => !isAes256Key(key))) throw new SettingsError('SECRETS_KEYS_RETIRED', 'must be a comma list of keys of 32 bytes in base64, the earlier values of SECRETS_KEY');
  return { secretsKey, secretsKeysRetired: retired };
}

export class SettingsError extends Error {
  constructor(readonly setting: string, message: string) {
    super(`${setting}: ${message}`);
    this.name = 'SettingsError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new SettingsError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new SettingsError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new SettingsError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function optional(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

/** The setting that puts the events on a server several processes share, if one is set. */
function sharedStoreSetting(env: Env): string | undefined {
  return ['EVENTSTORE_CONNECTION_STRING', 'POSTGRES_URL'].find((name) => optional(env, name) !== undefined);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new SettingsError(name, 'must be a URL');
  }
  if (!protocols.includes(parsed.protocol)) throw new SettingsError(name, `must start with ${protocols.join(' or ')}`);
  return raw;
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A comma list of durations such as `1m,5m,30m,2h` (units ms, s, m, h), each above 0. */
function durations(env: Env, name: string, fallback: readonly number[]): number[] {
  const raw = optional(env, name);
  if (raw === undefined) return [...fallback];
  const parts = raw.split(',').map((part) => /^\s*(\d+)(ms|s|m|h)\s*$/.exec(part));
  if (parts.length > 20 || parts.some((match) => match === null || Number(match[1]) === 0)) {
    throw new SettingsError(name, `must be 1 to 20 durations above 0 separated by commas, such as 1m,5m,30m,2h (units ms, s, m, h), got "${raw}"`);
  }
  return parts.map((match) => Number(match![1]) * DURATION_UNITS_MS[match![2]]);
}

/** One duration such as `30s` (units ms, s, m, h), from 0 to `maxMs`. */
function duration(env: Env, name: string, fallbackMs: number, maxMs: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallbackMs;
  const match = /^\s*(\d+)(ms|s|m|h)\s*$/.exec(raw);
  const ms = match ? Number(match[1]) * DURATION_UNITS_MS[match[2]] : NaN;
  if (!(ms <= maxMs)) throw new SettingsError(name, `must be a duration with a unit (ms, s, m, h) of at most ${maxMs / 3_600_000} h, such as 30s, got "${raw}"`);
  return ms;
}

/** A lease duration: at least 100 ms, so that renewing every third of it is not a busy loop. */
function leaseTtl(env: Env, name: string): number {
  const ms = duration(env, name, 10_000, 600_000);
  if (ms < 100) throw new SettingsError(name, `must be at least 100ms, got "${env[name]}"`);
  return ms;
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** A number of proxy hops, or a comma list of addresses, subnets (`10.0.0.0/8`) and Express's names loopback, linklocal, uniquelocal. */
function trustProxy(env: Env, name: string): false | number | string[] {
  const raw = optional(env, name);
  if (raw === undefined || raw === 'false') return false;
  if (/^\d+$/.test(raw)) return integer(env, name, 0, 1, 10);
  const entries = raw.split(',').map((entry) => entry.trim());
  const valid = (entry: string) => {
    if (PROXY_NAMES.includes(entry)) return true;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    return family !== 0 && rest.length === 0 && (prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)));
  };
  if (!entries.every(valid)) {
    throw new SettingsError(name, `must be a number of proxy hops, or addresses and subnets separated by commas (or loopback, linklocal, uniquelocal), got "${raw}"`);
  }
  return entries;
}

function token(env: Env, name: string, prefix: string): string | undefined {
  const raw = optional(env, name);
  if (raw !== undefined && !new RegExp(`^${prefix}_(prod|stg)_[A-Za-z0-9]{16,}$`).test(raw)) {
    throw new SettingsError(name, `must look like ${prefix}_<env>_<at least 16 letters or digits>`);
  }
  return raw;
}

export function loadSettings(env: Env = process.env): Settings {
  const paymentsEnv = oneOf(env, 'PAYMENTS_ENV', ['prod', 'stg'] as const, 'stg');
  const adminToken = optional(env, 'ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) throw new SettingsError('ADMIN_TOKEN', 'must be at least 16 characters');
  const fingerprintSecret = optional(env, 'CARD_FINGERPRINT_SECRET');
  if (fingerprintSecret !== undefined && fingerprintSecret.length < 16) {
    throw new SettingsError('CARD_FINGERPRINT_SECRET', 'must be at least 16 characters');
  }
  if (paymentsEnv === 'prod' && fingerprintSecret === undefined) {
    throw new SettingsError('CARD_FINGERPRINT_SECRET', 'must be set when PAYMENTS_ENV=prod');
  }
  // A key generated into DATA_DIR is shared only by processes that share DATA_DIR, as the
  // embedded event store's do; processes on a shared server store must be given the same key.
  const shared = sharedStoreSetting(env);
  if (shared !== undefined && fingerprintSecret === undefined) {
    throw new SettingsError('CARD_FINGERPRINT_SECRET', `must be set when ${shared} is set, the same for every process of the deployment`);
  }
  const port = integer(env, 'PORT', 3000, 0, 65535);
  return {
    port,
    publicUrl: (url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    dataDir: optional(env, 'DATA_DIR') ?? './data',
    env: paymentsEnv,
    eventStoreConnectionString: url(env, 'EVENTSTORE_CONNECTION_STRING', ['esdb:', 'esdb+discover:', 'kurrentdb:', 'kurrentdb+discover:']),
    postgresUrl: url(env, 'POSTGRES_URL', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    adminToken,
    sandbox: oneOf(env, 'PAYMENTS_SANDBOX', ['true', 'false'] as const, 'true') === 'true',
    sandboxSecretToken: token(env, 'SANDBOX_SECRET_TOKEN', 'st'),
    sandboxPublishableToken: token(env, 'SANDBOX_PUBLISHABLE_TOKEN', 'pt'),
    payWaitMs: integer(env, 'PAY_WAIT_MS', 30000, 0, 600000),
    eventStreamHeartbeatMs: integer(env, 'EVENT_STREAM_HEARTBEAT_MS', 15000, 10, 600000),
    rateLimitPerSecond: integer(env, 'RATE_LIMIT_PER_SECOND', 1000, 1, 1000000),
    sessionMaxFailedPayments: integer(env, 'SESSION_MAX_FAILED_PAYMENTS', 10, 1, 1000),
    cardFailedPaymentsPerHour: integer(env, 'CARD_FAILED_PAYMENTS_PER_HOUR', 10, 1, 1000000),
    addressFailedPaymentsPerHour: integer(env, 'ADDRESS_FAILED_PAYMENTS_PER_HOUR', 50, 1, 1000000),
    trustProxy: trustProxy(env, 'TRUST_PROXY'),
    cardFingerprintSecret: fingerprintSecret,
    ...secretsKeySettings(env, paymentsEnv),
    redisKeyPrefix: optional(env, 'REDIS_KEY_PREFIX') ?? 'payments:',
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    webhookAllowPrivateUrls: oneOf(env, 'WEBHOOK_ALLOW_PRIVATE_URLS', ['true', 'false'] as const, 'false') === 'true',
    webhookRetryScheduleMs: durations(env, 'WEBHOOK_RETRY_SCHEDULE', DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS),
    attemptResolutionBackoffMs: durations(env, 'ATTEMPT_RESOLUTION_BACKOFF', DEFAULT_ATTEMPT_RESOLUTION_BACKOFF_MS),
    attemptResolutionDelayMs: duration(env, 'ATTEMPT_RESOLUTION_DELAY', 0, 24 * 3_600_000),
    readModelsOnMismatch: oneOf(env, 'READ_MODELS_ON_MISMATCH', ['refuse', 'rebuild'] as const, 'refuse'),
    leaseTtlMs: leaseTtl(env, 'LEASE_TTL'),
  };
}
