import type { AttioEvent, AttioListEntryEvent, AttioListEntryEventType, AttioRecordEvent } from './types.js';

/** Attio's record event types. */
export type AttioRecordEventType = `record.${'created' | 'updated' | 'merged' | 'deleted'}`;

/**
 * Attio's other documented event types. One Attio adds later is declared per receiver:
 * `attio<'call-recording.created'>({ secret })`.
 */
export type AttioOtherEventType =
  | `comment.${'created' | 'resolved' | 'unresolved' | 'deleted'}`
  | `list.${'created' | 'updated' | 'deleted'}`
  | `list-attribute.${'created' | 'updated'}`
  | `object-attribute.${'created' | 'updated'}`
  | `note.${'created' | 'updated' | 'deleted'}`
  | `task.${'created' | 'updated' | 'deleted'}`
  | 'workspace-member.created';

/**
 * Attio event names (namespaced `attio.`) and their payloads: list entries (a record's link to a
 * list) and records typed, the others loosely. The set is closed, so a misspelled name does not compile.
 */
export type AttioEventMap<Extra extends string = never> = {
  readonly [K in AttioListEntryEventType as `attio.${K}`]: AttioListEntryEvent<K>;
} & { readonly [K in AttioRecordEventType as `attio.${K}`]: AttioRecordEvent<K> } & {
  readonly [K in AttioOtherEventType | Extra as `attio.${K}`]: AttioEvent<K>;
};
