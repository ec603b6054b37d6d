import { STATUS_CODES, maxHeaderSize } from 'node:http';
import { Duplex } from 'node:stream';
import { randomBase62 } from '@payments/orchestration';
import { echoSafe } from './problem-details.filter';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, problemType } from './problem-details';

/** What Node's own clientError handling answers, by the parser's error code; anything else is a 400. */
const STATUS_OF_CODE: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

const DETAILS: Record<number, string> = {
  431: `The request line and headers are larger than the ${Math.floor(maxHeaderSize / 1024)} KB the service reads.`,
  413: 'A chunk extension of the body is too large.',
  408: 'The request did not arrive in time.',
  400: 'The request is not valid HTTP/1.1.',
};

/** The path of the request line, when the parser got that far: the problem's `instance`, cut and masked like every echo. */
function pathOfRawPacket(raw: Buffer | undefined): string {
  const requestLine = raw?.subarray(0, 2048).toString('latin1').split('\r\n', 1)[0] ?? '';
  const target = requestLine.split(' ')[1] ?? '';
  return echoSafe(target.split('?', 1)[0]);
}

/**
 * The HTTP server's `clientError` listener: a request Node cannot parse (headers over
 * maxHeaderSize, a malformed request line, a timeout) never reaches Express, and Node's own
 * answer is a bare status line, without problem details or a request id. This one answers
 * what every other error gets, then closes the connection, which cannot be trusted further.
 */
export function answerClientError(error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = STATUS_OF_CODE[error.code ?? ''] ?? 400;
  const requestId = `req_${randomBase62(24)}`;
  const problem: ProblemDetails = {
    type: status === 400 ? problemType('bad_request') : status === 413 ? problemType('payload_too_large') : 'about:blank',
    title: STATUS_CODES[status] ?? 'Bad Request',
    status,
    detail: DETAILS[status],
    instance: pathOfRawPacket(error.rawPacket),
    request_id: requestId,
  };
  const body = JSON.stringify(problem);
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
      `Content-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      `X-Request-Id: ${requestId}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}
