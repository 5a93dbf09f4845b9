import { Controller, Get } from '@nestjs/common';
import { LinkIndex } from '@crmhooks/example-links';

@Controller('links')
export class LinksController {
  constructor(private readonly links: LinkIndex) {}

  @Get()
  list() {
    return this.links.list();
  }
}
