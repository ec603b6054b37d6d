/** Where the postgres adapter reports what it retries (Nest's Logger fits). */
export interface PostgresLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** SQLSTATE classes and codes of a server that is away for now: restarting, shutting down, full. */
const TRANSIENT_SQLSTATES = /^(08|57P0[1-3]|53300|53400|40001|40P01)/;
/** Node's socket errors, and the messages pg gives a connection lost or never made. */
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const TRANSIENT_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection closed/i;

/**
 * Whether a failed read is worth another try: the connection or the server failed, not the
 * query. A read is safe to repeat; an append is not (its commit may have happened), so appends
 * are never retried on these.
 */
export function isTransient(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (TRANSIENT_SQLSTATES.test(code) || TRANSIENT_NODE_CODES.has(code))) return true;
  return typeof message === 'string' && TRANSIENT_MESSAGES.test(message);
}

export function describeError(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  return typeof code === 'string' ? `${code}: ${text}` : text;
}
