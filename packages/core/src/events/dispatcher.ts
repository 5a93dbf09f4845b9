import type { AssociationEvent } from './association-event.js';
import type { EventContext } from './event-map.js';
import type { ProviderEvent } from '../providers/provider.js';

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
   * Resolves to the errors they threw or rejected with; empty means success.
   */
  async dispatch(event: ProviderEvent, provider: string): Promise<unknown[]> {
    const context: EventContext = { name: event.name, provider, deliveryId: event.deliveryId };
    const calls: unknown[] = [];
    const errors: unknown[] = [];
    const call = (run: () => unknown): void => {
      try {
        calls.push(run());
      } catch (error) {
        errors.push(error);
      }
    };

    const own = this.#handlers.get(event.name);
    if (own !== undefined) {
      for (const handler of own) call(() => (handler as (p: unknown, c: EventContext) => unknown)(event.payload, context));
    }
    if (event.association !== undefined) {
      const name = `association.${event.association.action}`;
      const associationHandlers = this.#handlers.get(name);
      if (associationHandlers !== undefined) {
        const association: AssociationEvent = event.association.build();
        const associationContext: EventContext = { ...context, name };
        for (const handler of associationHandlers) {
          call(() => (handler as (p: unknown, c: EventContext) => unknown)(association, associationContext));
        }
      }
    }
    for (const handler of this.#anyHandlers) call(() => handler({ ...context, payload: event.payload }));

    // Fast path: synchronous handlers leave nothing to await.
    if (calls.every((result) => !isPromiseLike(result))) return errors;
    const settled = await Promise.allSettled(calls);
    for (const result of settled) if (result.status === 'rejected') errors.push(result.reason);
    return errors;
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
