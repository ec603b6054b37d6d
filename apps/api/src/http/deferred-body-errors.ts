import { ProblemException } from './problem-details';

const BODY_ERROR = Symbol('bodyError');

type WithBodyError = { [BODY_ERROR]?: unknown };

/** Keeps what is wrong with a request's body until the request has been authenticated (see RequestBodyGuard). */
export function deferBodyError(request: object, error: unknown): void {
  (request as WithBodyError)[BODY_ERROR] ??= error;
}

/** The body's first problem, kept by the parsers' middleware, if any. */
export function bodyErrorOf(request: object): unknown {
  return (request as WithBodyError)[BODY_ERROR];
}

/**
 * Express error middleware behind each body parser: the parser's error (malformed JSON 400, too
 * large 413, unsupported charset 415) is kept on the request and the request goes on, so that a
 * caller without a valid token gets 401 before anything is said about its body. V8's syntax
 * error message can quote the start of the body, which for a payment holds the card number:
 * the client gets the position only.
 */
export function deferParserErrors(error: unknown, request: object, _response: unknown, next: () => void): void {
  const parseError = error as { type?: unknown; message?: unknown };
  if (parseError?.type === 'entity.parse.failed') {
    const position = /at position (\d+)/.exec(String(parseError.message))?.[1];
    deferBodyError(request, new ProblemException('bad_request', `The request body is not valid JSON${position === undefined ? '' : ` (at position ${position})`}.`));
  } else {
    deferBodyError(request, error);
  }
  next();
}
