import type { AssociationLevel } from '@crmhooks/core';

/** Which association events a normalized decorator accepts. */
export interface AssociationFilter<P extends string = string> {
  /** Only events from this provider (or these). */
  readonly provider?: P | readonly P[];
  /** Only definition-level changes, or only record-to-record links. */
  readonly level?: AssociationLevel;
}

/** One decorator's subscription, stored on the method. */
export interface CrmEventSubscription {
  readonly events: readonly string[];
  readonly filter?: AssociationFilter;
}

/** Whether an association event passes a decorator's filter. */
export function passesFilter(filter: AssociationFilter | undefined, payload: unknown): boolean {
  if (filter === undefined) return true;
  const event = payload as { provider?: string; level?: string };
  if (filter.level !== undefined && event.level !== filter.level) return false;
  if (filter.provider === undefined) return true;
  const providers: readonly string[] = typeof filter.provider === 'string' ? [filter.provider] : filter.provider;
  return event.provider !== undefined && providers.includes(event.provider);
}
