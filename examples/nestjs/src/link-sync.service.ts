import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { AssociationEvent, EventContext, SuperOfficeTestEvent } from '@crmhooks/core';
import { LinkTable } from '@crmhooks/example-links';
import { OnAssociationCreated, OnAssociationDeleted, OnAssociationUpdated, OnCrmEvent } from '@crmhooks/nestjs';

/** Keeps the link table in step with the CRMs. */
@Injectable()
export class LinkSync implements OnModuleInit {
  constructor(private readonly links: LinkTable) {}

  /** The link table is ready before the app listens. */
  onModuleInit(): Promise<void> {
    return this.links.ready();
  }

  @OnAssociationCreated()
  @OnAssociationUpdated()
  @OnAssociationDeleted()
  async apply(link: AssociationEvent): Promise<void> {
    await this.links.apply(link);
  }

  @OnCrmEvent('superoffice.test')
  saved(_event: SuperOfficeTestEvent, { deliveryId }: EventContext) {
    console.log(`[nestjs] ${deliveryId} SuperOffice test: webhook saved`);
  }
}
