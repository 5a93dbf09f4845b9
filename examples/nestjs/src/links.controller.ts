import { Controller, Get, Query } from '@nestjs/common';
import { LinkTable } from '@crmhooks/example-links';

@Controller('links')
export class LinksController {
  constructor(private readonly links: LinkTable) {}

  @Get()
  rows(@Query('tenant') tenant?: string) {
    return this.links.rows(tenant);
  }
}

@Controller('journal')
export class JournalController {
  constructor(private readonly links: LinkTable) {}

  @Get()
  summary() {
    return this.links.journal.summary();
  }
}
