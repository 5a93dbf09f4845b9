/**
 * @crmhooks/core: verify, parse and dispatch CRM association webhooks from raw bytes.
 * @packageDocumentation
 */
import type { HighLevelProvider } from './providers/highlevel/index.js';
import type { HubSpotProvider } from './providers/hubspot/index.js';
import type { SuperOfficeProvider } from './providers/superoffice/index.js';
import type { AttioProvider } from './providers/attio/index.js';
import type { DataverseProvider } from './providers/dataverse/index.js';
import type { EventMapFor } from './receive/event-map.js';

export {
  createWebhooks,
  CrmWebhooks,
  DEFAULT_MAX_BODY_BYTES,
  type CrmWebhooksOptions,
  type Delivery,
  type DeliveryReceiver,
  type ErrorHandler,
  type StoredDelivery,
  type ReplayOutcome,
} from './receive/receiver.js';

export * from './providers/superoffice/index.js';
export * from './providers/highlevel/index.js';
export * from './providers/hubspot/index.js';
export * from './providers/attio/index.js';
export * from './providers/dataverse/index.js';
export type { WebhookProvider, ProviderEvent, DeliveryRequest } from './providers/provider.js';
export { defineProvider, type ProviderDefinition, type DefinedProvider, type DefinedEvent, type DefinedLink } from './providers/define.js';
export { contentId } from './providers/shared/content-id.js';
export type { HeaderReader, IncomingHeaders } from './providers/shared/headers.js';
export { associationsOf, type AssociationEvent, type AssociationAction, type AssociationLevel, type AssociationEnd } from './providers/shared/association-event.js';
export type {
  AssociationEventName,
  AssociationEventMap,
  EventMapFor,
  EventName,
  EventContext,
  EventHandler,
  AnyEvent,
} from './receive/event-map.js';
export type { ReceiveOutcome, EventOutcome, EventResult, SuccessBody, ErrorBody } from './receive/outcome.js';
export type { RawBody } from './receive/body.js';
export type { EventQueue, QueuedEvent, EventHandlers } from './receive/queued-event.js';
export { TenantFairness, MAX_YIELD, type FairnessOptions } from './receive/fairness.js';
export type { DeadLetterSink } from './receive/dead-letters.js';
export type { DeliveryJournal, ArrivedDelivery, DeliveryAttempt, JournalReceiver } from './receive/journal.js';
export type { StoredEvent } from './receive/stored-delivery.js';

export { DEFAULT_LEASE_MS, type IdempotencyStore, type ClaimResult, type ClaimOptions, type CompleteOptions } from './idempotency/store.js';
export { Warnings } from './idempotency/warnings.js';
export { MemoryIdempotencyStore, type MemoryIdempotencyStoreOptions } from './idempotency/memory-store.js';

export { createWebHandler, type WebHandlerOptions } from './http/web-handler.js';
export type { SuccessAnswer } from './http/response.js';
export { consoleLogger, toLogger, type Logger, type LoggerOption, type LogFields } from './observe/logger.js';

export type { SecretInput } from './crypto/secrets.js';
export type { SecretLookup, SecretCacheOptions, TenantSecretInput } from './crypto/tenant-secrets.js';
export type { PublicKeyInput } from './crypto/public-keys.js';

export * from './errors/index.js';
export { isStorableKey, MAX_KEY_LENGTH } from './util/keys.js';

/** Every event of the built-in providers (SuperOffice, HighLevel, HubSpot, Attio, Dataverse) plus the association events. */
export type CrmEventMap = EventMapFor<readonly [SuperOfficeProvider, HighLevelProvider, HubSpotProvider, AttioProvider, DataverseProvider]>;

/** Name of any event of the built-in providers, e.g. `superoffice.relation.deleted` or `association.created`. */
export type CrmEventName = keyof CrmEventMap & string;
