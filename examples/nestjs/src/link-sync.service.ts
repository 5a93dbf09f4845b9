import { Injectable } from '@nestjs/common';
import type { AssociationEvent, EventContext, SuperOfficeTestEvent } from '@crmhooks/core';
import { LinkIndex } from '@crmhooks/example-links';
import { OnAssociationCreated, OnAssociationDeleted, OnAssociationUpdated, OnCrmEvent } from '@crmhooks/nestjs';

/** Keeps the link index in step with both CRMs. */
@Injectable()
export class LinkSync {
  constructor(private readonly links: LinkIndex) {}

  @OnAssociationCreated()
  @OnAssociationUpdated()
  @OnAssociationDeleted()
  apply(link: AssociationEvent) {
    this.links.apply(link);
  }

  @OnCrmEvent('superoffice.test')
  saved(_event: SuperOfficeTestEvent, { deliveryId }: EventContext) {
    console.log(`[nestjs] ${deliveryId} SuperOffice test: webhook saved`);
  }
}
