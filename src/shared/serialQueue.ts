// Runs a store's writes one after another, so two quick changes cannot race on the file and the
// state in memory always matches the last write that succeeded.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
