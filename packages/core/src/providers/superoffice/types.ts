/**
 * Payload types of SuperOffice (NetServer) webhooks.
 * Field names follow SuperOffice exactly, PascalCase envelope included.
 */

/** A `FieldValues` / `Values` entry. Extra tables send strings such as `"[I:6]"`, so values stay loose. */
export type SuperOfficeFieldValue = string | number | boolean | null;

/** `FieldValues` or `Values` of an event without a dedicated type. */
export type SuperOfficeFieldValues = { readonly [field: string]: SuperOfficeFieldValue | undefined };

/** Fields every SuperOffice delivery carries. */
export type SuperOfficeEnvelope<TEvent extends string = string> = {
  /** Unique id of this event; the same on each retry, so it is the delivery id. */
  readonly EventId: string;
  /** When the change happened (ISO 8601, UTC). */
  readonly Timestamp: string;
  /** Names of the fields that changed. */
  readonly Changes: readonly string[];
  /** Event name without namespace, e.g. `relation.created`. */
  readonly Event: TEvent;
  /** Primary key of the changed row. */
  readonly PrimaryKey: number;
  /** Entity (table) name, e.g. `relation`. */
  readonly Entity: string;
  /** Tenant: customer id such as `Cust26759` online, `Default` on-site. */
  readonly ContextIdentifier: string;
  /** Associate (user) who made the change. */
  readonly ChangedByAssociateId: number;
  /** Name of the webhook definition that sent this. */
  readonly WebhookName: string;
  /** Custom properties set on the webhook definition. */
  readonly Properties?: { readonly [name: string]: unknown };
};

/** Any SuperOffice entity event: envelope plus loosely typed field values. */
export type SuperOfficeEvent<TEvent extends string = string> = SuperOfficeEnvelope<TEvent> & {
  readonly FieldValues?: SuperOfficeFieldValues;
  readonly Values?: SuperOfficeFieldValues;
};

/**
 * Fields of a relation row (a link between two records) in `FieldValues`.
 * Tables are numbers: 5 contact, 6 person, 2 associate, 13 sale, 11 project (may differ per database).
 */
export type SuperOfficeRelationFieldValues = {
  readonly relation_id?: number;
  /** Relation definition (the kind of link). */
  readonly reldef_id?: number;
  readonly source_table?: number;
  readonly source_record?: number;
  readonly destination_table?: number;
  readonly destination_record?: number;
  /** Whether the relation is read from destination to source. */
  readonly reversed?: number | boolean;
  readonly relcomment?: string;
  readonly startDate?: string;
  readonly endDate?: string;
  readonly registered?: string;
  readonly registered_associate_id?: number;
  readonly updated?: string;
  readonly updated_associate_id?: number;
  readonly updatedCount?: number;
  readonly group_idx?: number;
  readonly relFlags?: number;
  /** Associate who owns the relation, as documented. SuperOffice's own example sends `associateId`. */
  readonly associate_id?: number;
  /** Associate who owns the relation, as SuperOffice's example sends it. */
  readonly associateId?: number;
};

/** `Values` of `relation.deleted`: the few key ids left once the row is gone. */
export type SuperOfficeRelationKeyValues = {
  readonly relation_id?: number;
  readonly associate_id?: number;
  readonly associateId?: number;
};

/** `relation.created`: a record was linked to another. */
export type SuperOfficeRelationCreated = SuperOfficeEnvelope<'relation.created'> & {
  readonly FieldValues?: SuperOfficeRelationFieldValues;
};

/** `relation.changed`: a link's comment, dates or definition changed. `FieldValues` is not always sent. */
export type SuperOfficeRelationChanged = SuperOfficeEnvelope<'relation.changed'> & {
  readonly FieldValues?: SuperOfficeRelationFieldValues;
};

/** `relation.deleted`: a link was removed; only key ids remain, in `Values`. */
export type SuperOfficeRelationDeleted = SuperOfficeEnvelope<'relation.deleted'> & {
  readonly Values?: SuperOfficeRelationKeyValues;
  readonly FieldValues?: SuperOfficeRelationFieldValues;
};

/** Any of the three relation events. */
export type SuperOfficeRelationEvent = SuperOfficeRelationCreated | SuperOfficeRelationChanged | SuperOfficeRelationDeleted;

/**
 * The `test` event SuperOffice sends when a webhook is saved or tested. It is
 * always answered 200 and only reaches `superoffice.test` and `onAny` handlers.
 * Its body is not documented, hence the loose type.
 */
export type SuperOfficeTestEvent = {
  readonly Event?: string;
  readonly EventId?: string;
  readonly [field: string]: unknown;
};
