import type { ProviderEvent } from '../providers/provider.js';
import { associationsOf } from '../providers/shared/association-event.js';
import type { AssociationEventName, EventContext } from './event-map.js';
import { AnyEventContext, type HandlerContext } from './handler-context.js';

type Handler = (payload: never, context: EventContext) => unknown;
type AnyHandler = (event: EventContext & { readonly payload: unknown }) => unknown;

const ASSOCIATION_EVENT_NAMES = {
  created: 'association.created',
  updated: 'association.updated',
  deleted: 'association.deleted',
} as const satisfies Record<string, AssociationEventName>;

const LINK_NAMES = Object.values(ASSOCIATION_EVENT_NAMES);

/** Makes the context a handler gets under `name` (the event's own, or its association event's). */
export type ContextFactory = (name: string) => HandlerContext;

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
   * Runs every handler of the event concurrently: its own name's, its association
   * event's (built only if someone listens), and `onAny`'s. Gives whatever they threw or
   * rejected with (empty means success), once all have settled; never rejects. When every
   * handler returned without a promise, that is known at once and given as an array.
   */
  dispatch(event: ProviderEvent, contextFor: ContextFactory): unknown[] | Promise<unknown[]> {
    const running: unknown[] = [];
    const own = this.#handlers.get(event.name);
    if (own !== undefined) {
      const context = contextFor(event.name);
      for (const handler of own) running.push(call(handler, event.payload, context));
    }
    // Built only if someone listens; each link goes to its own action's handlers (one event may change several links).
    if (event.association !== undefined && LINK_NAMES.some((name) => this.#handlers.has(name))) {
      for (const link of associationsOf(event)) {
        const linkName = ASSOCIATION_EVENT_NAMES[link.action];
        const handlers = this.#handlers.get(linkName);
        if (handlers === undefined) continue;
        const context = contextFor(linkName);
        for (const handler of handlers) running.push(call(handler, link, context));
      }
    }
    if (this.#anyHandlers.size > 0) {
      const anyEvent = new AnyEventContext(contextFor(event.name), event.payload);
      for (const handler of this.#anyHandlers) running.push(call(handler as Handler, anyEvent, anyEvent));
    }
    // Synchronous handlers (the common case) leave nothing to wait for: no allSettled, and the caller
    // arms no timeout. Worth it through HTTP: see deliverEvent.
    if (!running.some(isThenable)) return running.filter((result) => result instanceof Thrown).map((thrown) => (thrown as Thrown).error);
    return Promise.allSettled(running).then((settled) =>
      settled.flatMap((result) => (result.status === 'rejected' ? [result.reason] : result.value instanceof Thrown ? [result.value.error] : [])),
    );
  }
}

/** What a handler threw synchronously. */
class Thrown {
  constructor(readonly error: unknown) {}
}

/** Calls a handler, keeping what it threw. */
function call(handler: Handler, payload: unknown, context: EventContext): unknown {
  try {
    return (handler as (payload: unknown, context: EventContext) => unknown)(payload, context);
  } catch (error) {
    return new Thrown(error);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null | undefined)?.then === 'function';
}
