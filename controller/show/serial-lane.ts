/**
 * One lane for everything that changes the desk: the queue's commands and the run-of-show's auto-advances
 * take turns, so an auto-advance never interleaves with a command half applied. A failed job does not stop
 * the jobs behind it.
 */
export class SerialLane {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `job` after every job queued before it; answers its result. */
  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job, job);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
