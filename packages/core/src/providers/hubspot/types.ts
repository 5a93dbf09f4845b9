/** Payload types of HubSpot webhooks (app webhooks API, v3 signatures). A request body is an array of these. */

/** Fields every HubSpot event carries. */
export type HubSpotEventBase = {
  /** Event id. HubSpot does not guarantee it unique, so it is not the delivery id alone. */
  readonly eventId: number;
  readonly subscriptionId: number;
  /** The HubSpot account (portal). */
  readonly portalId: number;
  readonly appId: number;
  /** When it happened, in ms since the epoch. */
  readonly occurredAt: number;
  /** e.g. `contact.associationChange`. Some documentation calls it `eventType`; either is accepted. */
  readonly subscriptionType?: string;
  readonly eventType?: string;
  /** 0 for the first attempt, counting up on retries. */
  readonly attemptNumber: number;
  readonly changeSource?: string;
  readonly changeFlag?: string;
  readonly sourceId?: string;
  readonly objectId?: number;
};

/** `*.associationChange`: a link between two records was added or removed. */
export type HubSpotAssociationChange<TType extends string = string> = HubSpotEventBase & {
  readonly subscriptionType?: TType;
  /** e.g. `CONTACT_TO_COMPANY`. */
  readonly associationType: string;
  readonly fromObjectId: number;
  readonly toObjectId: number;
  /** false: the link was added; true: removed. */
  readonly associationRemoved: boolean;
  /** A primary link can produce two messages. */
  readonly isPrimaryAssociation?: boolean;
  /** `object.associationChange` only: the object type id, e.g. `0-1` or `2-123456`. */
  readonly objectTypeId?: string;
  readonly associationCategory?: string;
  readonly associationTypeId?: number;
};

/** Any other subscription type: named, loosely typed. */
export type HubSpotEvent = HubSpotEventBase & { readonly [field: string]: unknown };
