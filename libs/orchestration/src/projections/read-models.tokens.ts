/** The ReadModelStore the settings choose: Redis when REDIS_URL is set, else `<DATA_DIR>/read-models.db`. */
export const READ_MODEL_STORE = Symbol('ReadModelStore');
/** The projections the service runs: `allProjections` unless a test gives others. */
export const PROJECTIONS = Symbol('Projections');
