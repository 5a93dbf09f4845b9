/** What happened to a link between two CRM objects or records. */
export type AssociationAction = 'created' | 'updated' | 'deleted';

/**
 * - `definition`: a kind of link between two object types changed
 *   (HighLevel `Association*`: e.g. "Interested Buyer" between buyer and property).
 * - `record`: one record was linked to or unlinked from another
 *   (HighLevel `Relation*`, SuperOffice `relation.*`).
 */
export type AssociationLevel = 'definition' | 'record';

/** One end of a link. Fields are present where the provider sends them. */
export interface AssociationEnd {
  /** Object type: HighLevel object key (`contact`, `custom_objects.property`), SuperOffice table name when known. */
  readonly objectType?: string;
  /** SuperOffice table number (5 = contact, 6 = person, ... may differ per database). */
  readonly table?: number;
  /** Id of the record at this end, as a string whatever the provider's type. */
  readonly recordId?: string;
  /** Human-readable label of the object type, when the provider sends one. */
  readonly label?: string;
}

/**
 * A link change, the same shape whichever CRM sent it. Dispatched as
 * `association.created`, `association.updated` or `association.deleted`
 * alongside the provider's native event.
 */
export interface AssociationEvent<
  TProvider extends string = string,
  TNative = unknown,
  TAction extends AssociationAction = AssociationAction,
> {
  readonly action: TAction;
  readonly level: AssociationLevel;
  readonly provider: TProvider;
  /**
   * The customer the link belongs to (SuperOffice `ContextIdentifier`, HighLevel `locationId`,
   * HubSpot `portalId`): record and link ids are unique only within it. Undefined when the
   * CRM's payload names none.
   */
  readonly tenant?: string | undefined;
  /** Id of the link itself: HighLevel association or relation id, SuperOffice relation id. */
  readonly id: string | undefined;
  /** Id of the link's definition: HighLevel `associationId` / association `key`, SuperOffice `reldef_id`. */
  readonly definitionId: string | undefined;
  /** The first / source end. */
  readonly from: AssociationEnd;
  /** The second / destination end. */
  readonly to: AssociationEnd;
  /** When it happened (ISO 8601), when the provider says. */
  readonly occurredAt: string | undefined;
  /** The delivery id this event came with. */
  readonly deliveryId: string;
  /** The provider's native event name and payload, untouched. */
  readonly native: { readonly name: string; readonly payload: TNative };
}

/** The link events of a native event: none, one, or several (Dataverse's `Associate` of several rows). */
export function associationsOf(event: { readonly association?: { readonly build: () => AssociationEvent | readonly AssociationEvent[] } | undefined }): readonly AssociationEvent[] {
  if (event.association === undefined) return [];
  const built = event.association.build();
  return Array.isArray(built) ? built : [built as AssociationEvent];
}
