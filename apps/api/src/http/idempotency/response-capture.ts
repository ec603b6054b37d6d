import { ServerResponse } from 'node:http';
import { StoredResponse } from './idempotency-store';

type Writer = (...args: unknown[]) => unknown;

/**
 * Copies every byte written to `response`, whoever writes it (a handler's result or the
 * exception filter's problem details), and holds the end of the response back until
 * `beforeEnd` has handled the copy. So once a client has the response, a retry finds it stored.
 */
export function captureResponse(response: ServerResponse, beforeEnd: (copy: StoredResponse) => Promise<void>): void {
  const chunks: Buffer[] = [];
  const write = response.write.bind(response) as Writer;
  const end = response.end.bind(response) as Writer;
  let ended = false;

  const keep = (chunk: unknown, encoding: unknown): void => {
    if (typeof chunk === 'string') chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
  };

  response.write = ((chunk: unknown, ...rest: unknown[]) => {
    keep(chunk, rest[0]);
    return write(chunk, ...rest);
  }) as ServerResponse['write'];

  response.end = ((...args: unknown[]) => {
    if (ended) return end(...args);
    ended = true;
    if (typeof args[0] !== 'function') keep(args[0], args[1]);
    const contentType = response.getHeader('content-type');
    const copy: StoredResponse = {
      status: response.statusCode,
      contentType: contentType === undefined ? undefined : String(contentType),
      body: Buffer.concat(chunks),
    };
    void beforeEnd(copy).finally(() => end(...args));
    return response;
  }) as ServerResponse['end'];
}
