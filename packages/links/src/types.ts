import type { AssociationEnd, AssociationEvent } from '@crmhooks/core';

/** A link between two records, as the mirror holds it. */
export interface Link {
  readonly provider: string;
  /** The customer it belongs to (SuperOffice `ContextIdentifier`, HighLevel `locationId`, HubSpot `portalId`); undefined when its events named none. */
  readonly tenant: string | undefined;
  /** The CRM's id of the link (HighLevel relation id, SuperOffice relation id, HubSpot `from:TYPE:to`). */
  readonly id: string;
  /** The link's definition (HighLevel association id, SuperOffice `reldef_id`, HubSpot association type). */
  readonly definitionId: string | undefined;
  /** The ends, once an event that names them has been applied (a delete that came first may not). */
  readonly from: AssociationEnd;
  readonly to: AssociationEnd;
  /** The CRM time of the earliest create applied. */
  readonly createdAt: Date | undefined;
  /** The CRM time of the newest event applied. */
  readonly updatedAt: Date;
  /** Set when the newest event is a delete: the link is gone, and older events cannot bring it back. */
  readonly deletedAt: Date | undefined;
}

/** A kind of link between two object types, with the labels and cardinality the CRM sent. */
export interface LinkDefinition {
  readonly provider: string;
  readonly tenant: string | undefined;
  readonly id: string;
  /** HighLevel's unique key of the association, e.g. `buyer_property_interest`. */
  readonly key: string | undefined;
  readonly from: { readonly objectType?: string; readonly label?: string };
  readonly to: { readonly objectType?: string; readonly label?: string };
  /** e.g. `MANY_TO_MANY`, as HighLevel sends it with updates and deletes. */
  readonly fromToCardinality: string | undefined;
  readonly toFromCardinality: string | undefined;
  readonly createdAt: Date | undefined;
  readonly updatedAt: Date;
  readonly deletedAt: Date | undefined;
}

/** A record, as the queries take it: its CRM, its id and, to tell tables apart, its object type. */
export interface RecordRef {
  readonly provider: string;
  /**
   * The customer whose record it is: record ids are unique only within one customer's CRM, so a
   * receiver serving several passes it (`context.tenant`, `link.tenant`). Left out, links of every
   * tenant match, as a receiver serving one customer wants.
   */
  readonly tenant?: string;
  readonly recordId: string;
  /** e.g. `contact`, `custom_objects.property`, or SuperOffice's table name. Any type when left out. */
  readonly objectType?: string;
}

/** What applying one event did. */
export type AppliedEvent<E extends AssociationEvent = AssociationEvent> =
  | {
      readonly kind: 'link';
      /**
       * The event, its ends and definition filled from the mirror where it lacked them:
       * a SuperOffice `relation.deleted` names only the relation; the mirror knows the rest.
       */
      readonly event: E;
      /** The link after the event. */
      readonly link: Link;
      /** True when a newer event for this link was applied before: the link's state is that event's. */
      readonly stale: boolean;
    }
  | {
      readonly kind: 'definition';
      readonly event: E;
      readonly definition: LinkDefinition;
      readonly stale: boolean;
    }
  | {
      /** The event names no link or definition id, so there is nothing to mirror (logged as a warning). */
      readonly kind: 'skipped';
      readonly event: E;
      readonly stale: false;
    };
