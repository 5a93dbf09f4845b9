import type { DeliveryReceiver } from '@crmhooks/core';
import { adapterRequest, createAdapterEngine, lazyRequestUrl, type AdapterOptions } from '@crmhooks/core/node';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

/** Options of the {@link crmhooks} plugin. */
export interface CrmHooksFastifyOptions extends Omit<AdapterOptions, 'path'> {
  /** The receiver: `createWebhooks({ providers: [...] })`. */
  readonly receiver: DeliveryReceiver;
  /** The route the plugin registers. Default: `/webhooks/crm`. */
  readonly path?: string;
}

/** What the route answers: deliveries by POST, 405 with `Allow: POST` to the rest. */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

const plugin: FastifyPluginAsync<CrmHooksFastifyOptions> = async (fastify, options) => {
  const engine = createAdapterEngine(options.receiver, options, {
    name: '@crmhooks/fastify',
    fix: 'Something read the request body before crmhooks; register the plugin without a body-reading hook on its route.',
  });
  // The app's own parsers keep parsing the rest of the app: this one is scoped to the plugin and
  // leaves the body unread, so crmhooks reads the exact bytes (with its limit) and answers 415 itself.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  fastify.route({
    method: METHODS,
    url: options.path ?? '/webhooks/crm',
    handler: async (request, reply) => {
      // The raw Node request: Fastify's own parsed body is never on it, only the unread stream.
      const answer = await engine.handle({ ...adapterRequest(request.raw, lazyRequestUrl(request.raw)), params: request.params });
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    },
  });
};

/**
 * A Fastify 5 plugin receiving CRM webhooks on one route:
 * `app.register(crmhooks, { receiver: webhooks, path: '/webhooks/crm' })`. The route reads its
 * own raw body (its content-type parser is scoped to the plugin, so the app's JSON parsing
 * is untouched) and answers every method: deliveries by POST, 405 to the rest.
 */
export const crmhooks = fp(plugin, { fastify: '5.x', name: '@crmhooks/fastify', encapsulate: true });
