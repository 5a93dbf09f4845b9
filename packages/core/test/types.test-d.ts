import { describe, expectTypeOf, test } from 'vitest';
import {
  createWebhooks,
  highlevel,
  hubspot,
  superoffice,
  type AssociationEvent,
  type CrmEventName,
  type EventContext,
  type HighLevelAppInstall,
  type HighLevelAppUninstall,
  type HighLevelAssociationCreate,
  type HighLevelEvent,
  type HighLevelRelationCreate,
  type HighLevelRelationDelete,
  type SuperOfficeEvent,
  type SuperOfficeRelationChanged,
  type SuperOfficeRelationCreated,
  type SuperOfficeRelationDeleted,
  type SuperOfficeTestEvent,
} from '@crmhooks/core';

const both = createWebhooks({ providers: [superoffice({ secret: 's' }), highlevel()] });
const superOfficeOnly = createWebhooks({ providers: [superoffice({ secret: 's' })] });

describe('on(name) infers the payload from the event name', () => {
  test('SuperOffice relation events are fully typed', () => {
    both.on('superoffice.relation.deleted', (event, context) => {
      expectTypeOf(event).toEqualTypeOf<SuperOfficeRelationDeleted>();
      expectTypeOf(event.Values?.relation_id).toEqualTypeOf<number | undefined>();
      expectTypeOf(event.Event).toEqualTypeOf<'relation.deleted'>();
      expectTypeOf(context).toEqualTypeOf<EventContext>();
    });
    both.on('superoffice.relation.created', (event) => {
      expectTypeOf(event).toEqualTypeOf<SuperOfficeRelationCreated>();
      expectTypeOf(event.FieldValues?.source_table).toEqualTypeOf<number | undefined>();
      expectTypeOf(event.FieldValues?.associateId).toEqualTypeOf<number | undefined>();
      expectTypeOf(event.FieldValues?.associate_id).toEqualTypeOf<number | undefined>();
    });
    both.on('superoffice.relation.changed', (event) => {
      expectTypeOf(event).toEqualTypeOf<SuperOfficeRelationChanged>();
    });
  });

  test('other SuperOffice events are named, loosely typed', () => {
    both.on('superoffice.contact.created', (event) => {
      expectTypeOf(event).toEqualTypeOf<SuperOfficeEvent<'contact.created'>>();
      expectTypeOf(event.FieldValues?.name).toEqualTypeOf<string | number | boolean | null | undefined>();
    });
    const withExtraTable = createWebhooks({ providers: [superoffice<'y_equipment.created' | 'list.hotlist.created'>({ secret: 's' })] });
    withExtraTable.on('superoffice.y_equipment.created', (event) => {
      expectTypeOf(event).toEqualTypeOf<SuperOfficeEvent<'y_equipment.created'>>();
    });
    withExtraTable.on('superoffice.list.hotlist.created', (event) => {
      expectTypeOf(event.Event).toEqualTypeOf<'list.hotlist.created'>();
    });
    const withNewHighLevelEvent = createWebhooks({ providers: [highlevel<'InvoiceRefund'>()] });
    withNewHighLevelEvent.on('highlevel.InvoiceRefund', (event) => expectTypeOf(event).toEqualTypeOf<HighLevelEvent>());
    both.on('superoffice.test', (event) => {
      expectTypeOf(event).toEqualTypeOf<SuperOfficeTestEvent>();
    });
  });

  test('HighLevel link events are fully typed; others are named', () => {
    both.on('highlevel.AssociationCreate', (event) => {
      expectTypeOf(event).toEqualTypeOf<HighLevelAssociationCreate>();
      expectTypeOf(event.firstObjectKey).toEqualTypeOf<string>();
    });
    both.on('highlevel.RelationCreate', (event) => {
      expectTypeOf(event.secondRecordId).toEqualTypeOf<string>();
      expectTypeOf(event.webhookId).toEqualTypeOf<string | undefined>();
    });
    both.on('highlevel.ContactCreate', (event) => {
      expectTypeOf(event).toEqualTypeOf<HighLevelEvent>();
      expectTypeOf(event.email).toEqualTypeOf<unknown>();
    });
  });

  test('an array of names gives the union of their payloads', () => {
    both.on(['highlevel.RelationCreate', 'highlevel.RelationDelete'], (event) => {
      expectTypeOf(event).toEqualTypeOf<HighLevelRelationCreate | HighLevelRelationDelete>();
    });
    both.on(['superoffice.relation.created', 'highlevel.RelationCreate'], (event) => {
      expectTypeOf(event).toEqualTypeOf<SuperOfficeRelationCreated | HighLevelRelationCreate>();
    });
  });

  test('association events are typed by action and narrow by provider', () => {
    both.on('association.deleted', (link) => {
      expectTypeOf(link.action).toEqualTypeOf<'deleted'>();
      expectTypeOf(link.level).toEqualTypeOf<'definition' | 'record'>();
      expectTypeOf(link.provider).toEqualTypeOf<'superoffice' | 'highlevel'>();
      if (link.provider === 'superoffice') {
        expectTypeOf(link.native.payload).toEqualTypeOf<
          SuperOfficeRelationCreated | SuperOfficeRelationChanged | SuperOfficeRelationDeleted
        >();
      }
    });
    superOfficeOnly.on('association.created', (link) => {
      expectTypeOf(link).toMatchTypeOf<AssociationEvent<'superoffice'>>();
      expectTypeOf(link.provider).toEqualTypeOf<'superoffice'>();
    });
  });

  test('onAny sees native events only', () => {
    both.onAny((event) => {
      expectTypeOf(event.name).toEqualTypeOf<Exclude<CrmEventName, `association.${string}` | `hubspot.${string}` | `attio.${string}` | `dataverse.${string}`>>();
      expectTypeOf(event.deliveryId).toEqualTypeOf<string>();
    });
  });
});

describe('names that must not compile', () => {
  test('unknown namespaces, missing verbs and other providers are rejected', () => {
    // @ts-expect-error: no such provider namespace
    both.on('salesforce.relation.deleted', () => undefined);
    // @ts-expect-error: a SuperOffice event name needs entity and verb
    both.on('superoffice.relation', () => undefined);
    // @ts-expect-error: association events are created/updated/deleted
    both.on('association.removed', () => undefined);
    // @ts-expect-error: native names are namespaced by provider
    both.on('relation.deleted', () => undefined);
    // @ts-expect-error: HighLevel is not configured on this receiver
    superOfficeOnly.on('highlevel.RelationCreate', () => undefined);
  });

  test('misspelled documented names do not compile (they used to fall into a catch-all and never run)', () => {
    const all = createWebhooks({ providers: [superoffice({ secret: 's' }), highlevel(), hubspot({ clientSecret: 's' })] });
    // @ts-expect-error: the verb is `deleted`
    all.on('superoffice.relation.delete', () => undefined);
    // @ts-expect-error: `relation`, misspelled
    all.on('superoffice.relaton.deleted', () => undefined);
    // @ts-expect-error: HighLevel's event is `RelationDelete`
    all.on('highlevel.RelationDeleted', () => undefined);
    // @ts-expect-error: HubSpot's subscription type is `associationChange`, camel case
    all.on('hubspot.contact.associationchange', () => undefined);
    // @ts-expect-error: an extra table must be declared: superoffice<'y_equipment.created'>(...)
    all.on('superoffice.y_equipment.created', () => undefined);
    // @ts-expect-error: arrays are checked name by name
    all.on(['superoffice.relation.created', 'superoffice.relation.delete'], () => undefined);
  });

  test('a payload property that does not exist does not compile', () => {
    both.on('superoffice.relation.deleted', (event) => {
      // @ts-expect-error: relation.deleted has no `relationId`
      void event.Values?.relationId;
    });
    both.on('highlevel.RelationDelete', (event) => {
      // @ts-expect-error: relations have no `firstObjectLabel`
      void event.firstObjectLabel;
    });
  });
});

describe('tenants', () => {
  test('every handler context and association event names its tenant, typed', () => {
    both.on('association.deleted', (link, context) => {
      expectTypeOf(link.tenant).toEqualTypeOf<string | undefined>();
      expectTypeOf(context.tenant).toEqualTypeOf<string | undefined>();
    });
  });

  test("HighLevel's app INSTALL and UNINSTALL are typed events", () => {
    both.on('highlevel.INSTALL', (event) => {
      expectTypeOf(event).toEqualTypeOf<HighLevelAppInstall>();
      expectTypeOf(event.appId).toEqualTypeOf<string>();
      expectTypeOf(event.locationId).toEqualTypeOf<string | undefined>();
    });
    both.on('highlevel.UNINSTALL', (event) => expectTypeOf(event).toEqualTypeOf<HighLevelAppUninstall>());
    // @ts-expect-error: HighLevel spells it in capitals
    both.on('highlevel.Uninstall', () => undefined);
  });

  test('a secret may be a lookup by tenant, synchronous or a promise; anything else does not compile', () => {
    superoffice({ secret: (tenant) => (tenant === 'Cust1' ? 's' : undefined) });
    superoffice({ secret: async (tenant) => [tenant, 'rotating'], secretCache: { max: 100, ttlMs: 60_000 } });
    // @ts-expect-error: a lookup returns secrets, not numbers
    superoffice({ secret: (tenant: string) => tenant.length });
  });
});
