/**
 * Runs the tasks given for one stream one after another, and those of different streams side by
 * side. Commands on one stream that run at once in this process would only race on its expected
 * revision: under group commit all but one of them lose every round and read, decide and append
 * again, so n concurrent commands cost n² attempts. Queued, each decides on what the one before
 * it wrote. Other processes still race on the revision, which stays the fence.
 */
export class StreamQueue {
  /** The last task queued per stream; a stream leaves the map once its queue is empty. */
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(stream: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(stream);
    const result = previous ? previous.then(task, task) : task();
    const tail = result.catch(() => undefined);
    this.tails.set(stream, tail);
    void tail.then(() => {
      if (this.tails.get(stream) === tail) this.tails.delete(stream);
    });
    return result;
  }
}
