import type { KeyObject } from 'node:crypto';
import {
  attioDelivery,
  attioListEntrySample,
  dataverseAssociateSample,
  dataverseDelivery,
  highLevelDelivery,
  hubSpotAssociationSample,
  hubSpotDelivery,
  highLevelSample,
  superOfficeDelivery,
  superOfficeSample,
  type SignedDelivery,
} from '@crmhooks/core/testing';

/** One step of the demo: a delivery, what it is, and how the receiver must answer. */
export interface ScenarioStep {
  readonly provider: 'superoffice' | 'highlevel' | 'hubspot' | 'attio' | 'dataverse';
  readonly event: string;
  /** What makes this step special, if anything. */
  readonly note?: 'duplicate' | 'forged' | 'tenant Cust1' | 'tenant Cust2' | 'Cust2 signed by Cust1';
  readonly delivery: SignedDelivery;
  readonly expectedStatus: number;
  /** Whether a handler must run (and log a line with the delivery id). */
  readonly handled: boolean;
}

/**
 * Every typed event of both CRMs, signed as they sign them, then a duplicate and
 * a forgery: what the demo sends to each example app, and what their tests send.
 */
export function scenario(keys: {
  superOfficeSecret: string;
  highLevelKey: KeyObject;
  /** With both, a HubSpot batch signed for `url` (HubSpot signs the URL it calls). */
  hubSpotSecret?: string | undefined;
  url?: string | undefined;
  /**
   * With them (the receiver looks SuperOffice secrets up by tenant), two more customers each
   * create their own relation 20, and one signs a relation for the other: refused.
   */
  tenantSecrets?: { readonly Cust1: string; readonly Cust2: string } | undefined;
  /** With it, an Attio record added to a list. */
  attioSecret?: string | undefined;
  /** With it, a Dataverse account associated with two contacts. */
  dataverseKey?: string | undefined;
}): ScenarioStep[] {
  const secret = keys.superOfficeSecret;
  const privateKey = keys.highLevelKey;
  // Relation 20 created, changed, then deleted: each signed a second after the one before, and the
  // delete (which names only the relation) comes back from the mirror with the two ends it linked.
  const relationId = superOfficeSample('relation.created').PrimaryKey;
  const payload = (event: 'test' | 'relation.created' | 'relation.changed' | 'relation.deleted', index: number) => {
    const Timestamp = new Date(Date.now() + index * 1000).toISOString();
    if (event !== 'relation.deleted') return { ...superOfficeSample(event), Timestamp };
    const deleted = superOfficeSample(event);
    // The same customer's relation: the deleted sample comes from another (an onsite install's "Default").
    const { ContextIdentifier } = superOfficeSample('relation.created');
    return { ...deleted, Timestamp, ContextIdentifier, PrimaryKey: relationId, Values: { ...deleted.Values, relation_id: relationId } };
  };
  const superOffice = (['test', 'relation.created', 'relation.changed', 'relation.deleted'] as const).map((event, index) => ({
    provider: 'superoffice' as const,
    event,
    delivery: superOfficeDelivery({ secret, payload: payload(event, index) }),
    expectedStatus: 200,
    handled: true,
  }));
  const highLevel = (['AssociationCreate', 'AssociationUpdate', 'RelationCreate', 'RelationDelete', 'AssociationDelete'] as const).map(
    (type) => ({
      provider: 'highlevel' as const,
      event: type,
      delivery: highLevelDelivery({ type, payload: highLevelSample(type), privateKey }),
      expectedStatus: 200,
      handled: true,
    }),
  );
  const hubSpot: ScenarioStep[] =
    keys.hubSpotSecret && keys.url
      ? [
          {
            provider: 'hubspot',
            event: 'contact.associationChange (batch of 2)',
            // A contact linked to one company and unlinked from another, in one request.
            delivery: hubSpotDelivery({
              secret: keys.hubSpotSecret,
              url: keys.url,
              events: [hubSpotAssociationSample(), hubSpotAssociationSample({ eventId: 2, associationRemoved: true, toObjectId: 7702 })],
            }),
            expectedStatus: 200,
            handled: true,
          },
        ]
      : [];
  const attio: ScenarioStep[] = keys.attioSecret
    ? [{ provider: 'attio', event: 'list-entry.created', delivery: attioDelivery({ secret: keys.attioSecret, events: [attioListEntrySample('list-entry.created')] }), expectedStatus: 200, handled: true }]
    : [];
  const dataverse: ScenarioStep[] = keys.dataverseKey
    ? [{ provider: 'dataverse', event: 'Associate (2 rows)', delivery: dataverseDelivery({ key: keys.dataverseKey, context: dataverseAssociateSample('Associate', { related: 2 }) }), expectedStatus: 200, handled: true }]
    : [];
  const tenants = keys.tenantSecrets;
  const ofTenant = (tenant: 'Cust1' | 'Cust2', signer: 'Cust1' | 'Cust2', from: number, to: number) => {
    const sample = superOfficeSample('relation.created');
    const FieldValues = { ...sample.FieldValues, relation_id: relationId, source_record: from, destination_table: 6, destination_record: to };
    return superOfficeDelivery({ secret: tenants![signer], payload: { ...sample, EventId: `${tenant}-relation-${from}`, ContextIdentifier: tenant, FieldValues } });
  };
  const manyCustomers: ScenarioStep[] = tenants
    ? [
        { provider: 'superoffice', event: 'relation.created', note: 'tenant Cust1', delivery: ofTenant('Cust1', 'Cust1', 100, 200), expectedStatus: 200, handled: true },
        { provider: 'superoffice', event: 'relation.created', note: 'tenant Cust2', delivery: ofTenant('Cust2', 'Cust2', 300, 400), expectedStatus: 200, handled: true },
        { provider: 'superoffice', event: 'relation.created', note: 'Cust2 signed by Cust1', delivery: ofTenant('Cust2', 'Cust1', 500, 600), expectedStatus: 401, handled: false },
      ]
    : [];
  return [
    ...superOffice,
    ...manyCustomers,
    ...highLevel,
    ...hubSpot,
    ...attio,
    ...dataverse,
    { ...highLevel[2]!, note: 'duplicate', handled: false },
    {
      provider: 'superoffice',
      event: 'relation.deleted',
      note: 'forged',
      delivery: superOfficeDelivery({ secret: 'an-attacker-guess', payload: { ...superOfficeSample('relation.deleted'), EventId: 'forged-1' } }),
      expectedStatus: 401,
      handled: false,
    },
  ];
}

/**
 * The link table after the scenario, deleted links included (with Attio and Dataverse: a record on a
 * list, an account associated with two contacts): HighLevel's buyer-property relation
 * (created, then deleted), HubSpot's contact 51 linked to company 7701 and unlinked from 7702
 * (with HubSpot), and SuperOffice's relation 20 (created, changed, then deleted: the delete names
 * no records, the mirror kept the ends).
 */
export function linksAfterScenario(withHubSpot: boolean, withAttioAndDataverse = false) {
  const relation = highLevelSample('RelationCreate');
  const portal = String(hubSpotAssociationSample().portalId);
  const entry = attioListEntrySample('list-entry.created');
  const associate = dataverseAssociateSample('Associate', { related: 2 });
  const account = `account#${associate.PrimaryEntityId}`;
  return [
    ...(withAttioAndDataverse
      ? [
          { provider: 'attio', tenant: entry.id.workspace_id, id: entry.id.entry_id, from: `${entry.parent_object_id}#${entry.parent_record_id}`, to: `list#${entry.id.list_id}`, state: 'linked' },
          ...['7e0c5d3a-0f9f-e711-8122-000d3aa20331', '7e0c5d3a-0f9f-e711-8122-000d3aa20332'].map((contact) => ({
            provider: 'dataverse',
            tenant: associate.OrganizationId,
            id: `contact_customer_accounts:${associate.PrimaryEntityId}:${contact}`,
            from: account,
            to: `contact#${contact}`,
            state: 'linked',
          })),
        ]
      : []),
    {
      provider: 'highlevel',
      tenant: relation.locationId,
      id: relation.id,
      from: `Interested Buyer#${relation.firstRecordId}`,
      to: `Property#${relation.secondRecordId}`,
      state: 'deleted',
    },
    ...(withHubSpot
      ? [
          { provider: 'hubspot', tenant: portal, id: '51:CONTACT_TO_COMPANY:7701', from: 'contact#51', to: 'company#7701', state: 'linked' },
          { provider: 'hubspot', tenant: portal, id: '51:CONTACT_TO_COMPANY:7702', from: 'contact#51', to: 'company#7702', state: 'deleted' },
        ]
      : []),
    { provider: 'superoffice', tenant: superOfficeSample('relation.created').ContextIdentifier, id: '20', from: 'contact#1', to: 'contact#2', state: 'deleted' },
  ];
}
