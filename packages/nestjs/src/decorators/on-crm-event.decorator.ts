// Decorators store metadata with reflect-metadata, which every Nest app loads; importing it keeps them safe to apply first.
import 'reflect-metadata';
import type { CrmEventMap, EventContext } from '@crmhooks/core';
import { CRM_EVENT_SUBSCRIPTIONS } from '../constants.js';
import type { AssociationFilter, CrmEventSubscription } from './subscription.js';

/**
 * A method decorator that checks the decorated method can take payload `T`:
 * `(payload: T, context: EventContext) => unknown`.
 */
export type CrmEventMethodDecorator<T> = <M extends (payload: T, context: EventContext) => unknown>(
  target: object,
  propertyKey: string | symbol,
  descriptor: TypedPropertyDescriptor<M>,
) => void;

/** Records a subscription on the method; several decorators on one method add up. */
export function subscribe<T>(subscription: CrmEventSubscription): CrmEventMethodDecorator<T> {
  return (_target, _propertyKey, descriptor) => {
    const method = descriptor.value as object;
    const existing: CrmEventSubscription[] = Reflect.getMetadata(CRM_EVENT_SUBSCRIPTIONS, method) ?? [];
    Reflect.defineMetadata(CRM_EVENT_SUBSCRIPTIONS, [...existing, subscription], method);
  };
}

/**
 * Event names beyond the documented ones (SuperOffice extra tables and lists, new HighLevel
 * events), for `@OnCrmEvent`. Declare them by augmenting this interface with their payloads:
 *
 * ```ts
 * declare module '@crmhooks/nestjs' {
 *   interface CustomCrmEvents {
 *     'superoffice.y_equipment.created': SuperOfficeEvent<'y_equipment.created'>;
 *   }
 * }
 * ```
 */
export interface CustomCrmEvents {}

/** Every name `@OnCrmEvent` accepts, with its payload. */
export type NestCrmEventMap = CrmEventMap & CustomCrmEvents;

/**
 * Calls the decorated method for every genuine delivery of the named native event(s),
 * e.g. `@OnCrmEvent('superoffice.relation.changed')`. The method receives the typed
 * payload (the union, for several names) and the event context. A name that is not
 * documented (nor declared in `CustomCrmEvents`) does not compile.
 */
export function OnCrmEvent<K extends keyof NestCrmEventMap & string>(
  events: K | readonly K[],
): CrmEventMethodDecorator<NestCrmEventMap[K]> {
  return subscribe({ events: typeof events === 'string' ? [events] : [...(events as readonly K[])] });
}

/** Association events narrowed to the providers a filter names. */
type AssociationFrom<A extends 'created' | 'updated' | 'deleted', P extends string> = Extract<
  CrmEventMap[`association.${A}`],
  { provider: P }
>;

type Provider = CrmEventMap['association.created']['provider'];

function onAssociation<A extends 'created' | 'updated' | 'deleted', P extends Provider>(
  action: A,
  filter?: AssociationFilter<P>,
): CrmEventMethodDecorator<AssociationFrom<A, P>> {
  return subscribe({ events: [`association.${action}`], ...(filter && { filter }) });
}

/**
 * Calls the decorated method when a link is created, whichever CRM sent it.
 * `filter` narrows by provider (and the payload type with it) or by level.
 *
 * @example
 * ```ts
 * @OnAssociationCreated({ provider: 'highlevel', level: 'record' })
 * link(event: AssociationEvent) { ... }
 * ```
 */
export const OnAssociationCreated = <P extends Provider = Provider>(filter?: AssociationFilter<P>) =>
  onAssociation('created', filter);

/** Calls the decorated method when a link or link definition is updated. See {@link OnAssociationCreated}. */
export const OnAssociationUpdated = <P extends Provider = Provider>(filter?: AssociationFilter<P>) =>
  onAssociation('updated', filter);

/** Calls the decorated method when a link or link definition is deleted. See {@link OnAssociationCreated}. */
export const OnAssociationDeleted = <P extends Provider = Provider>(filter?: AssociationFilter<P>) =>
  onAssociation('deleted', filter);
