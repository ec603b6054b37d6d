/** Nest injection tokens of the ports; the adapters behind them are chosen from Settings at start. */
export const SETTINGS = Symbol('Settings');
export const EVENT_STORE = Symbol('EventStore');
export const CLOCK = Symbol('Clock');
export const ID_GENERATOR = Symbol('IdGenerator');
/** An ioredis client, present only when REDIS_URL is set. */
export const REDIS = Symbol('Redis');
/** A pg Pool on POSTGRES_URL, present only when it is set; the adapters on PostgreSQL share it. */
export const POSTGRES = Symbol('Postgres');
