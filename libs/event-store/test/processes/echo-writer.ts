/** Counts the writes of every writer of the thread, in the order it runs them. */
let written = 0;

/**
 * A writer module for sqlite-writer-thread.int-spec.ts: answers each request with what it was
 * opened with, the request and its place among the thread's writes; throws on 'throw', and
 * ends its thread on 'exit'.
 */
export function open(options: { name: string }) {
  let opened = true;
  return {
    write(request: string) {
      if (request === 'throw') throw Object.assign(new Error('asked to throw'), { name: 'AskedError', code: 'ASKED' });
      if (request === 'exit') process.exit(3);
      written++;
      return `${options.name}:${request}:${opened ? 'open' : 'closed'}#${written}`;
    },
    close() {
      opened = false;
    },
  };
}
