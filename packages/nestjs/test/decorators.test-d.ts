import { describe, expectTypeOf, test } from 'vitest';
import type {
  AssociationEvent,
  EventContext,
  HighLevelAssociationEvent,
  HighLevelRelationCreate,
  SuperOfficeAssociationEvent,
  SuperOfficeEvent,
  SuperOfficeRelationChanged,
  SuperOfficeRelationDeleted,
} from '@crmhooks/core';
import { OnAssociationDeleted, OnCrmEvent } from '@crmhooks/nestjs';

describe('decorator types', () => {
  test('a method taking the named event payload compiles; union for several names', () => {
    class Handlers {
      @OnCrmEvent('superoffice.relation.deleted')
      deleted(event: SuperOfficeRelationDeleted, context: EventContext) {
        expectTypeOf(event.Values?.relation_id).toEqualTypeOf<number | undefined>();
        void context;
      }

      @OnCrmEvent(['superoffice.relation.changed', 'superoffice.relation.deleted'])
      changedOrDeleted(event: SuperOfficeRelationChanged | SuperOfficeRelationDeleted) {
        void event;
      }

      @OnAssociationDeleted({ provider: 'superoffice' })
      unlinked(link: SuperOfficeAssociationEvent) {
        void link;
      }

      @OnAssociationDeleted()
      anyUnlinked(link: AssociationEvent) {
        void link;
      }
    }
    void Handlers;
  });

  test('wrong names and wrong payload types do not compile', () => {
    class Handlers {
      // @ts-expect-error: no such SuperOffice event name (entity and verb are required)
      @OnCrmEvent('superoffice.relation')
      missingVerb() {}

      // @ts-expect-error: the method expects a HighLevel payload for a SuperOffice event
      @OnCrmEvent('superoffice.relation.deleted')
      wrongPayload(event: HighLevelRelationCreate) {
        void event;
      }

      // @ts-expect-error: filtered to SuperOffice, so a HighLevel-only parameter cannot take it
      @OnAssociationDeleted({ provider: 'superoffice' })
      wrongProvider(link: HighLevelAssociationEvent) {
        void link;
      }

      // @ts-expect-error: 'salesforce' is not a provider of the built-in event map
      @OnAssociationDeleted({ provider: 'salesforce' })
      unknownProvider() {}
    }
    void Handlers;
  });

  test('misspelled documented names do not compile; names declared in CustomCrmEvents do', () => {
    class Handlers {
      // @ts-expect-error: the verb is `deleted`
      @OnCrmEvent('superoffice.relation.delete')
      a() {}

      // @ts-expect-error: `relation`, misspelled
      @OnCrmEvent('superoffice.relaton.deleted')
      b() {}

      // @ts-expect-error: HighLevel's event is `RelationDelete`
      @OnCrmEvent('highlevel.RelationDeleted')
      c() {}

      // @ts-expect-error: HubSpot's subscription type is `associationChange`
      @OnCrmEvent('hubspot.contact.associationchange')
      d() {}

      @OnCrmEvent('superoffice.y_equipment.created')
      declared(event: SuperOfficeEvent<'y_equipment.created'>) {
        expectTypeOf(event.Event).toEqualTypeOf<'y_equipment.created'>();
      }
    }
    void Handlers;
  });
});

declare module '@crmhooks/nestjs' {
  interface CustomCrmEvents {
    'superoffice.y_equipment.created': SuperOfficeEvent<'y_equipment.created'>;
  }
}
