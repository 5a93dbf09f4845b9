import { Controller, Get } from '@nestjs/common';
import { LinkTable } from '@crmhooks/example-links';

@Controller('links')
export class LinksController {
  constructor(private readonly links: LinkTable) {}

  @Get()
  rows() {
    return this.links.rows();
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
