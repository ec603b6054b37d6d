import { ProblemException } from './problem-details';

/**
 * Express error middleware for body-parser's JSON syntax errors. V8's message can quote the start
 * of the body, which for a payment holds the card number, and Nest would pass that message on as
 * the problem's detail; the client gets the position only.
 */
export function describeMalformedJson(error: unknown, _request: unknown, _response: unknown, next: (error: unknown) => void): void {
  const parseError = error as { type?: unknown; message?: unknown };
  if (parseError?.type !== 'entity.parse.failed') return next(error);
  const position = /at position (\d+)/.exec(String(parseError.message))?.[1];
  next(new ProblemException('bad_request', `The request body is not valid JSON${position === undefined ? '' : ` (at position ${position})`}.`));
}
