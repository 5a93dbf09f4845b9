import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { CrmEventMap, CrmWebhooks } from '@crmhooks/core';
import { createAdapterEngine, lazyRequestUrl, writeResponse, type AdapterRequest } from '@crmhooks/core/node';
import { CRM_WEBHOOKS, DEFAULT_PATH, NEST_RAW_BODY_FIX } from '../constants.js';
import { CRM_HOOKS_OPTIONS } from '../module-definition.js';
import type { CrmHooksModuleOptions } from '../options.js';

/** The parts of a request the route reads, on Express (Node's request) and Fastify (`request.raw` beside). */
interface PlatformRequest {
  readonly raw?: IncomingMessage;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body?: unknown;
  /** Kept by Nest when the app is created with `rawBody: true`. */
  readonly rawBody?: unknown;
  readonly originalUrl?: string;
  /** Fastify: the request URL. */
  readonly url: string;
}

/** The parts of a reply the route writes: Node's response (Express), or Fastify's reply. */
interface FastifyReply {
  code(status: number): FastifyReply;
  headers(headers: Readonly<Record<string, string>>): FastifyReply;
  send(body: string): FastifyReply;
}

/**
 * Registers the webhook route on the app's HTTP platform at startup, outside the
 * controller pipeline: CRM calls carry no user credentials, so global guards must
 * not apply. Both platforms go through the same core engine.
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
    // An application context without HTTP, or a worker-only app: nothing to listen on.
    if (!adapter || this.options.mode === 'worker') return;
    const platform = adapter.getType();
    if (platform !== 'express' && platform !== 'fastify') {
      throw new Error(`@crmhooks/nestjs supports the Express and Fastify platforms, not "${platform}".`);
    }
    const path = this.options.path ?? DEFAULT_PATH;
    const engine = createAdapterEngine(this.webhooks, { success: this.options.success }, { name: '@crmhooks/nestjs', fix: NEST_RAW_BODY_FIX });
    const gather = (request: PlatformRequest): AdapterRequest => {
      const node = request.raw ?? (request as unknown as IncomingMessage);
      const url = lazyRequestUrl(node, request.originalUrl ?? request.url);
      return {
        request: node,
        method: request.method,
        headers: request.headers,
        keptRawBody: request.rawBody,
        parsedBody: request.body,
        url: () => url().href,
      };
    };
    if (platform === 'express') {
      adapter.post(path, async (request: PlatformRequest, response: ServerResponse) => {
        writeResponse(response, await engine.handle(gather(request)));
      });
    } else {
      adapter.post(path, async (request: PlatformRequest, reply: FastifyReply) => {
        const answer = await engine.handle(gather(request));
        return reply.code(answer.status).headers(answer.headers).send(answer.body);
      });
    }
    this.#logger.log(`Receiving CRM webhooks on POST ${path}`);
  }
}
