import type { AssociationAction } from './association-event.js';
import type { AssociationEventName, EventContext } from './event-map.js';
import type { ProviderEvent } from '../providers/provider.js';
import { isPromiseLike, type MaybePromise } from '../util/maybe-promise.js';

const ASSOCIATION_EVENT_NAMES = {
  created: 'association.created',
  updated: 'association.updated',
  deleted: 'association.deleted',
} as const satisfies Record<AssociationAction, AssociationEventName>;

type Handler = (payload: never, context: EventContext) => unknown;
type AnyHandler = (event: EventContext & { readonly payload: unknown }) => unknown;

/**
 * Holds handlers by event name and runs them. Knows nothing of providers:
 * it dispatches whatever `ProviderEvent`s they produce.
 */
export class EventDispatcher {
  readonly #handlers = new Map<string, Set<Handler>>();
  readonly #anyHandlers = new Set<AnyHandler>();

  add(name: string, handler: Handler): void {
    let set = this.#handlers.get(name);
    if (set === undefined) this.#handlers.set(name, (set = new Set()));
    set.add(handler);
  }

  remove(name: string, handler: Handler): void {
    const set = this.#handlers.get(name);
    if (set?.delete(handler) && set.size === 0) this.#handlers.delete(name);
  }

  addAny(handler: AnyHandler): void {
    this.#anyHandlers.add(handler);
  }

  removeAny(handler: AnyHandler): void {
    this.#anyHandlers.delete(handler);
  }

  /**
   * Runs every handler of the event concurrently: its own name's, its
   * association event's (built only if someone listens), and `onAny`'s.
   * Gives the errors they threw or rejected with (empty means success):
   * at once when every handler was synchronous, else once all have settled.
   */
  dispatch(event: ProviderEvent, provider: string): MaybePromise<readonly unknown[]> {
    const context: EventContext = { name: event.name, provider, deliveryId: event.deliveryId };
    const results: Results = { pending: undefined, errors: undefined };

    const own = this.#handlers.get(event.name);
    if (own !== undefined) run(own, event.payload, context, results);
    if (event.association !== undefined) {
      const name = ASSOCIATION_EVENT_NAMES[event.association.action];
      const associationHandlers = this.#handlers.get(name);
      if (associationHandlers !== undefined) {
        run(associationHandlers, event.association.build(), { ...context, name }, results);
      }
    }
    if (this.#anyHandlers.size > 0) run(this.#anyHandlers, { ...context, payload: event.payload }, undefined, results);

    // Synchronous handlers leave nothing to wait for.
    if (results.pending === undefined) return results.errors ?? NO_ERRORS;
    const errors = results.errors ?? [];
    return Promise.allSettled(results.pending).then((settled) => {
      for (const result of settled) if (result.status === 'rejected') errors.push(result.reason);
      return errors;
    });
  }
}

const NO_ERRORS: readonly unknown[] = Object.freeze([]);

/** What handlers returned: promises to wait for and errors thrown, each allocated only when needed. */
interface Results {
  pending: PromiseLike<unknown>[] | undefined;
  errors: unknown[] | undefined;
}

/** Calls each handler, keeping what it returned if it is a promise and what it threw. */
function run(
  handlers: Iterable<Handler | AnyHandler>,
  payload: unknown,
  context: EventContext | undefined,
  results: Results,
): void {
  for (const handler of handlers) {
    try {
      const result = (handler as (payload: unknown, context?: EventContext) => unknown)(payload, context);
      if (isPromiseLike(result)) (results.pending ??= []).push(result);
    } catch (error) {
      (results.errors ??= []).push(error);
    }
  }
}
