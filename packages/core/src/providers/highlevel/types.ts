/**
 * Payload types of HighLevel (GoHighLevel / LeadConnector) webhooks.
 * Real deliveries carry envelope fields the event docs omit; unknown fields are never rejected.
 */

/** Envelope fields HighLevel adds to deliveries. `type` may be missing on association/relation events. */
export type HighLevelEnvelope = {
  /** Event name, e.g. `RelationCreate`. */
  readonly type?: string;
  /** When the delivery was made (ISO 8601). */
  readonly timestamp?: string;
  /** Unique id of the delivery; the delivery id when present. */
  readonly webhookId?: string;
  readonly appId?: string;
  readonly versionId?: string;
  readonly traceId?: string;
};

/** `associationType` values. Others may appear, so any string is accepted. */
export type HighLevelAssociationType = 'USER_DEFINED' | 'SYSTEM_DEFINED' | (string & {});

/** Cardinality of one direction of an association. */
export type HighLevelCardinality = 'ONE_TO_ONE' | 'ONE_TO_MANY' | 'MANY_TO_ONE' | 'MANY_TO_MANY' | (string & {});

/** An association definition: a kind of link between two object types. */
export type HighLevelAssociationDefinition = HighLevelEnvelope & {
  /** Id of the association definition. */
  readonly id: string;
  readonly associationType: HighLevelAssociationType;
  /** Object key of the first side, e.g. `contact` or `custom_objects.real_estate_buyer`. */
  readonly firstObjectKey: string;
  readonly firstObjectLabel: string;
  readonly secondObjectKey: string;
  readonly secondObjectLabel: string;
  /** Unique key of the association, e.g. `buyer_property_interest`. */
  readonly key: string;
  /** Sub-account the association belongs to. */
  readonly locationId: string;
};

/** Cardinalities sent with association updates and deletions. */
export type HighLevelAssociationCardinalities = {
  readonly firstObjectToSecondObjectCardinality: HighLevelCardinality;
  readonly secondObjectToFirstObjectCardinality: HighLevelCardinality;
};

/** `AssociationCreate`: a new kind of link between two object types. */
export type HighLevelAssociationCreate = HighLevelAssociationDefinition & { readonly type?: 'AssociationCreate' };

/** `AssociationUpdate`: an association definition changed. */
export type HighLevelAssociationUpdate = HighLevelAssociationDefinition &
  HighLevelAssociationCardinalities & { readonly type?: 'AssociationUpdate' };

/** `AssociationDelete`: an association definition was removed. */
export type HighLevelAssociationDelete = HighLevelAssociationDefinition &
  HighLevelAssociationCardinalities & { readonly type?: 'AssociationDelete' };

/** A relation: one record linked to another through an association. */
export type HighLevelRelation = HighLevelEnvelope & {
  /** Id of the relation. */
  readonly id: string;
  readonly firstObjectKey: string;
  readonly firstRecordId: string;
  readonly secondObjectKey: string;
  readonly secondRecordId: string;
  /** Id of the association definition this relation belongs to. */
  readonly associationId: string;
  readonly locationId: string;
};

/** `RelationCreate`: two records were linked. */
export type HighLevelRelationCreate = HighLevelRelation & { readonly type?: 'RelationCreate' };

/** `RelationDelete`: two records were unlinked. */
export type HighLevelRelationDelete = HighLevelRelation & { readonly type?: 'RelationDelete' };

/** Any of the five association and relation events. */
export type HighLevelLinkEvent =
  | HighLevelAssociationCreate
  | HighLevelAssociationUpdate
  | HighLevelAssociationDelete
  | HighLevelRelationCreate
  | HighLevelRelationDelete;

/**
 * `INSTALL`: a marketplace app was installed, for one location (sub-account) or a whole agency
 * (company). The tenant is the location, else the company. Fields beyond these vary by plan.
 */
export type HighLevelAppInstall = HighLevelEnvelope & {
  readonly type: 'INSTALL';
  readonly appId: string;
  /** `Location` for one sub-account, `Company` for an agency-wide install. */
  readonly installType?: 'Location' | 'Company' | (string & {});
  /** Set when installed for a location. */
  readonly locationId?: string;
  readonly companyId?: string;
  /** Who installed it. */
  readonly userId?: string;
  readonly planId?: string;
  readonly companyName?: string;
  readonly isWhitelabelCompany?: boolean;
  readonly trial?: { readonly onTrial?: boolean; readonly trialDuration?: number; readonly trialStartDate?: string };
  readonly [field: string]: unknown;
};

/**
 * `UNINSTALL`: a marketplace app was removed from a location or an agency: the moment to forget
 * that customer's data (`journal.forget`, `mirror.forget`).
 */
export type HighLevelAppUninstall = HighLevelEnvelope & {
  readonly type: 'UNINSTALL';
  readonly appId: string;
  /** Set when it was removed from a location; an agency-level removal names only `companyId`. */
  readonly locationId?: string;
  readonly companyId?: string;
  readonly [field: string]: unknown;
};

/** Any other HighLevel event (`ContactCreate`, `RecordCreate`, ...): named, loosely typed. */
export type HighLevelEvent = HighLevelEnvelope & {
  readonly locationId?: string;
  readonly companyId?: string;
  readonly [field: string]: unknown;
};
