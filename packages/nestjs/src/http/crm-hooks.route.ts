import type { ServerResponse } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { CrmEventMap, CrmWebhooks } from '@crmhooks/core';
import { adapterRequest, createAdapterEngine, lazyRequestUrl, writeResponse, type NodeRequest } from '@crmhooks/core/node';
import { crmhooks as crmhooksPlugin } from '@crmhooks/fastify';
import { CRM_WEBHOOKS, DEFAULT_PATH, NEST_RAW_BODY_FIX } from '../constants.js';
import { CRM_HOOKS_OPTIONS } from '../module-definition.js';
import type { CrmHooksModuleOptions } from '../options.js';

/** The parts of a Fastify instance the route needs (Nest's FastifyAdapter exposes it). */
interface FastifyLike {
  register(plugin: typeof crmhooksPlugin, options: Parameters<typeof crmhooksPlugin>[1]): unknown;
}

/**
 * Registers the webhook route on the app's HTTP platform, outside the controller pipeline
 * (CRM calls carry no user credentials, so global guards must not apply), and while Nest
 * creates the app: before `app.init()` registers Nest's body parsers. So the route reads the
 * raw body itself, with the receiver's `maxBodyBytes` as its limit, on Express and Fastify
 * alike, and needs no `rawBody: true`. It answers every method: deliveries by POST, 405 to the rest.
 */
@Injectable()
export class CrmHooksRoute {
  constructor(
    @Inject(HttpAdapterHost) adapterHost: HttpAdapterHost,
    @Inject(CRM_WEBHOOKS) webhooks: CrmWebhooks<CrmEventMap>,
    @Inject(CRM_HOOKS_OPTIONS) options: CrmHooksModuleOptions,
  ) {
    const adapter = adapterHost.httpAdapter;
    // An application context without HTTP, or a worker-only app: nothing to listen on.
    if (!adapter || options.mode === 'worker') return;
    const path = options.path ?? DEFAULT_PATH;
    const platform = adapter.getType();
    if (platform === 'express') {
      const engine = createAdapterEngine(webhooks, { success: options.success }, { name: '@crmhooks/nestjs', fix: NEST_RAW_BODY_FIX });
      adapter.all(path, async (request: NodeRequest, response: ServerResponse) => {
        writeResponse(response, await engine.handle(adapterRequest(request, lazyRequestUrl(request, request.originalUrl))));
      });
    } else if (platform === 'fastify') {
      (adapter.getInstance() as FastifyLike).register(crmhooksPlugin, { receiver: webhooks, path, success: options.success });
    } else {
      throw new Error(`@crmhooks/nestjs supports the Express and Fastify platforms, not "${platform}".`);
    }
    new Logger('CrmHooks').log(`Receiving CRM webhooks on POST ${path}`);
  }
}
