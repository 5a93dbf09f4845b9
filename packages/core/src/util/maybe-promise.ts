/** A value, or a promise of it: lets synchronous stores and handlers skip a microtask per step. */
export type MaybePromise<T> = T | Promise<T>;

/** Whether `value` is a thenable. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null | undefined)?.then === 'function';
}
