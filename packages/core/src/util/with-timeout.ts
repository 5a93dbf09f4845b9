/**
 * Waits for `work`, at most `ms`: then settles with what `onTimeout` returns (or rejects
 * with what it throws). The one timeout race of the project: store calls, handlers, body reads.
 * `work` keeps running; its late result is ignored (and a late rejection handled).
 */
export function withTimeout<T, F = never>(work: PromiseLike<T>, ms: number, onTimeout: () => F): Promise<T | F> {
  return new Promise<T | F>((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    }, ms);
    work.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}
