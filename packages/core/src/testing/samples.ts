import type {
  HighLevelAssociationCreate,
  HighLevelAssociationDelete,
  HighLevelAssociationUpdate,
  HighLevelRelationCreate,
  HighLevelRelationDelete,
} from '../providers/highlevel/types.js';
import type {
  SuperOfficeRelationChanged,
  SuperOfficeRelationCreated,
  SuperOfficeRelationDeleted,
  SuperOfficeTestEvent,
} from '../providers/superoffice/types.js';

/*
 * Sample payloads, one per typed event, with the values of the providers'
 * documented examples: a real-estate account links interested buyers to
 * properties (HighLevel) and relates contacts (SuperOffice).
 */

const BUYER_PROPERTY_ASSOCIATION = {
  id: '67ade73d1119d2ac7ad0c475',
  associationType: 'USER_DEFINED',
  firstObjectKey: 'custom_objects.real_estate_buyer',
  firstObjectLabel: 'Interested Buyer',
  secondObjectKey: 'custom_objects.property',
  secondObjectLabel: 'Property',
  key: 'buyer_property_interest',
  locationId: 'eHy2cOSZxMQzQ6Yyvl8P',
} as const;

const MANY_TO_MANY = {
  firstObjectToSecondObjectCardinality: 'MANY_TO_MANY',
  secondObjectToFirstObjectCardinality: 'MANY_TO_MANY',
} as const;

const BUYER_PROPERTY_RELATION = {
  id: '67b0c6a2f1e9d4001a7c3b21',
  firstObjectKey: 'custom_objects.real_estate_buyer',
  firstRecordId: '67b0c5f8a3d2e1001b9e4c10',
  secondObjectKey: 'custom_objects.property',
  secondRecordId: '67b0c60be7f4a2001c2d5e87',
  associationId: BUYER_PROPERTY_ASSOCIATION.id,
  locationId: BUYER_PROPERTY_ASSOCIATION.locationId,
} as const;

/** Sample payloads of the typed HighLevel events, without envelope (`type`, `webhookId`, `timestamp`). */
export interface HighLevelSamples {
  AssociationCreate: HighLevelAssociationCreate;
  AssociationUpdate: HighLevelAssociationUpdate;
  AssociationDelete: HighLevelAssociationDelete;
  RelationCreate: HighLevelRelationCreate;
  RelationDelete: HighLevelRelationDelete;
}

const HIGHLEVEL_SAMPLES: HighLevelSamples = {
  AssociationCreate: BUYER_PROPERTY_ASSOCIATION,
  AssociationUpdate: { ...BUYER_PROPERTY_ASSOCIATION, ...MANY_TO_MANY },
  AssociationDelete: { ...BUYER_PROPERTY_ASSOCIATION, ...MANY_TO_MANY },
  RelationCreate: BUYER_PROPERTY_RELATION,
  RelationDelete: BUYER_PROPERTY_RELATION,
};

/** Sample payloads of the typed SuperOffice events and the `test` event. */
export interface SuperOfficeSamples {
  'relation.created': SuperOfficeRelationCreated;
  'relation.changed': SuperOfficeRelationChanged;
  'relation.deleted': SuperOfficeRelationDeleted;
  test: SuperOfficeTestEvent;
}

const RELATION_ENVELOPE = {
  PrimaryKey: 20,
  Entity: 'relation',
  ContextIdentifier: 'Cust26759',
  ChangedByAssociateId: 5,
  WebhookName: 'Relation Webhook',
} as const;

const SUPEROFFICE_SAMPLES: SuperOfficeSamples = {
  'relation.created': {
    ...RELATION_ENVELOPE,
    EventId: 'abca7e30-5fd4-41d3-849a-16f51c927ecb',
    Timestamp: '2024-11-05T11:25:24.0528404Z',
    Changes: [
      'relation_id', 'source_table', 'updated', 'reversed', 'destination_table', 'registered_associate_id',
      'group_idx', 'reldef_id', 'startDate', 'updated_associate_id', 'updatedCount', 'associateId',
      'source_record', 'relFlags', 'registered', 'relcomment', 'endDate', 'destination_record',
    ],
    Event: 'relation.created',
    FieldValues: {
      associateId: 5,
      destination_record: 2,
      destination_table: 5,
      registered: '2025-05-14T16:07:50.9437543+02:00',
      registered_associate_id: 5,
      reldef_id: 7,
      source_record: 1,
      source_table: 5,
      updated: '0001-01-01T00:00:00',
      updated_associate_id: 0,
    },
  },
  'relation.changed': {
    ...RELATION_ENVELOPE,
    EventId: 'aeb900dd-344b-403e-a365-7a2708bc71c1',
    Timestamp: '2024-11-05T11:26:29.6996142Z',
    Changes: ['relation_id', 'reldef_id', 'updated_associate_id', 'updated', 'relcomment'],
    Event: 'relation.changed',
  },
  'relation.deleted': {
    ...RELATION_ENVELOPE,
    EventId: 'e87ac619-c864-4881-89eb-07ca5521ee2c',
    Timestamp: '2018-04-24T08:18:42.089895Z',
    Changes: [],
    Values: { associate_id: 40, relation_id: 178105 },
    Event: 'relation.deleted',
    PrimaryKey: 178105,
    ContextIdentifier: 'Default',
    ChangedByAssociateId: 316,
  },
  test: {
    EventId: '3f1c2b7e-9d4a-4e61-8a0f-6b2d9c5e7a13',
    Timestamp: '2024-11-05T11:20:00.0000000Z',
    Changes: [],
    Event: 'test',
    PrimaryKey: 0,
    Entity: 'test',
    ContextIdentifier: 'Cust26759',
    ChangedByAssociateId: 5,
    WebhookName: 'Relation Webhook',
  },
};

/** A fresh copy of the sample payload of a typed HighLevel event, its `type` set to the event's name. */
export function highLevelSample<E extends keyof HighLevelSamples>(event: E): HighLevelSamples[E] {
  return { type: event, ...structuredClone(HIGHLEVEL_SAMPLES[event]) };
}

/**
 * A fresh copy of the sample payload of a typed SuperOffice event (or `test`), its
 * `Timestamp` set to now: SuperOffice signs it, and older deliveries than the replay window are refused.
 */
export function superOfficeSample<E extends keyof SuperOfficeSamples>(event: E): SuperOfficeSamples[E] {
  return { ...structuredClone(SUPEROFFICE_SAMPLES[event]), Timestamp: new Date().toISOString() };
}

/** Names of the HighLevel events that have samples. */
export const HIGHLEVEL_SAMPLE_EVENTS = Object.keys(HIGHLEVEL_SAMPLES) as (keyof HighLevelSamples)[];
/** Names of the SuperOffice events that have samples, `test` included. */
export const SUPEROFFICE_SAMPLE_EVENTS = Object.keys(SUPEROFFICE_SAMPLES) as (keyof SuperOfficeSamples)[];
