import type { Params } from 'nestjs-pino';
import { LevelWithSilent, stdTimeFunctions } from 'pino';
import type { Options } from 'pino-http';
import pretty from 'pino-pretty';
import type { ApiRequest } from '../http/api-request';
import { requestIdFor } from '../http/request-id';
import { scrubSecrets } from './scrub-secrets';

/**
 * Headers that carry credentials, wherever a headers object is logged: the request line, but
 * also code that logs an outbound call (the http connector signs its requests).
 */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'];

/** pino-http options: JSON lines, one per request, never bodies, credentials, card data or tokens. */
export function httpLoggerOptions(level: LevelWithSilent): Options {
  return {
    level,
    // Epoch milliseconds are 13 digits and would be masked as a card number.
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: CREDENTIAL_HEADERS.flatMap((name) => [`headers["${name}"]`, `*.headers["${name}"]`]),
    // Last line of defence: whatever a message, an error or a serialized object holds.
    hooks: { streamWrite: scrubSecrets },
    serializers: {
      // pino-http passes the standard serialization (which has no body); query and params
      // repeat the url and the id is logged as request_id.
      req: ({ method, url, headers, remoteAddress }) => ({ method, url, headers, remoteAddress }),
      res: ({ statusCode }) => ({ statusCode }),
    },
    customAttributeKeys: { responseTime: 'duration_ms' },
    // The id the response's X-Request-Id carries, whichever middleware assigns it first. Nest
    // runs on Express, so every request here is an ApiRequest.
    customProps: (req, res) => ({ request_id: requestIdFor(req as ApiRequest, res) }),
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
  };
}

/**
 * nestjs-pino parameters. Logs go to stdout (twelve-factor): JSON lines for a log collector,
 * or, when stdout is a terminal, the same lines made readable by pino-pretty (after the
 * scrubber, which works on the JSON). process.stdout rather than pino's own file-descriptor
 * stream so that a test can capture the JSON by spying on its write.
 */
export function loggerParams(level: LevelWithSilent, terminal = process.stdout.isTTY === true): Params {
  const destination = terminal ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,req,res,context', messageFormat: '{if context}{context}: {end}{if req.method}{req.method} {req.url} {res.statusCode} {end}{msg}', singleLine: true, destination: process.stdout }) : process.stdout;
  return { pinoHttp: [httpLoggerOptions(level), destination] };
}
