/**
 * A writer module for sqlite-writer-thread.int-spec.ts: answers each request with what it was
 * opened with and the request, throws on 'throw', and ends its thread on 'exit'.
 */
export function open(options: { name: string }) {
  let opened = true;
  return {
    write(request: string) {
      if (request === 'throw') throw Object.assign(new Error('asked to throw'), { name: 'AskedError', code: 'ASKED' });
      if (request === 'exit') process.exit(3);
      return `${options.name}:${request}:${opened ? 'open' : 'closed'}`;
    },
    close() {
      opened = false;
    },
  };
}
