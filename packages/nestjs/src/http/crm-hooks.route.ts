import type { ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { CrmEventMap, CrmWebhooks } from '@crmhooks/core';
import { createAdapterEngine, type AdapterOptions } from '@crmhooks/core/node';
import { crmhooks, type ExpressLikeRequest } from '@crmhooks/express';
import { CRM_WEBHOOKS, DEFAULT_PATH, NEST_RAW_BODY_FIX } from '../constants.js';
import { CRM_HOOKS_OPTIONS } from '../module-definition.js';
import type { CrmHooksModuleOptions } from '../options.js';
import { fastifyRoute } from './fastify-route.js';

/**
 * Registers the webhook route on the app's HTTP platform at startup, outside the
 * controller pipeline: CRM calls carry no user credentials, so global guards must
 * not apply. Express reuses @crmhooks/express; Fastify gets the same engine.
 */
@Injectable()
export class CrmHooksRoute implements OnModuleInit {
  readonly #logger = new Logger('CrmHooks');

  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(CRM_WEBHOOKS) private readonly webhooks: CrmWebhooks<CrmEventMap>,
    @Inject(CRM_HOOKS_OPTIONS) private readonly options: CrmHooksModuleOptions,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return; // An application context without HTTP: nothing to listen on.
    const path = this.options.path ?? DEFAULT_PATH;
    const adapterOptions: AdapterOptions = {
      logger: this.#logger,
      bodyParserFix: NEST_RAW_BODY_FIX,
      ...(this.options.success && { success: this.options.success }),
    };
    const platform = adapter.getType();
    if (platform === 'express') {
      const middleware = crmhooks(this.webhooks, adapterOptions);
      adapter.post(path, (request: ExpressLikeRequest, response: ServerResponse) => middleware(request, response));
    } else if (platform === 'fastify') {
      const engine = createAdapterEngine(this.webhooks, adapterOptions, { name: '@crmhooks/nestjs', fix: NEST_RAW_BODY_FIX });
      adapter.post(path, fastifyRoute(engine));
    } else {
      throw new Error(`@crmhooks/nestjs supports the Express and Fastify platforms, not "${platform}".`);
    }
    this.#logger.log(`Receiving CRM webhooks on POST ${path}`);
  }
}
