import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeliveryReceiver } from '@crmhooks/core';
import { adapterRequest, createAdapterEngine, lazyRequestUrl, writeResponse, type AdapterOptions, type NodeRequest } from '@crmhooks/core/node';

/** Options of {@link crmhooks}; see `AdapterOptions`. */
export type CrmHooksExpressOptions = AdapterOptions;

/** The parts of an Express request crmhooks reads (Express 4 and 5). */
export type ExpressLikeRequest = NodeRequest;

const BODY_PARSER_FIX =
  'A JSON body parser (express.json()) read the body before crmhooks and kept no raw copy. Either mount the ' +
  'webhook route before app.use(express.json()), or let the parser keep the raw bytes: ' +
  "app.use(express.json({ verify: keepRawBody })), with keepRawBody from '@crmhooks/express'.";

/**
 * For `express.json({ verify: keepRawBody })`: the app's JSON parser may then run before
 * crmhooks, which verifies the bytes kept on `req.rawBody`.
 *
 * @example
 * ```ts
 * app.use(express.json({ verify: keepRawBody }));
 * app.use('/webhooks/crm', crmhooks(webhooks));
 * ```
 */
export function keepRawBody(request: IncomingMessage, _response: ServerResponse, body: Buffer): void {
  // Not ExpressLikeRequest: @koa/bodyparser's types declare IncomingMessage.rawBody a string for every app.
  (request as { rawBody?: unknown }).rawBody = body;
}

/**
 * Express middleware receiving CRM webhooks: `app.use('/webhooks/crm', crmhooks(webhooks))`
 * (or `router.use(...)`, or `app.use(crmhooks(webhooks, { path: '/webhooks/crm' }))`), so it
 * answers every method on its path: deliveries, and 405 to anything but POST. Mounted with
 * `app.post(...)` it works too, but Express answers other methods itself (404).
 */
export function crmhooks(
  receiver: DeliveryReceiver,
  options: CrmHooksExpressOptions = {},
): (request: ExpressLikeRequest, response: ServerResponse, next?: (error?: unknown) => void) => void {
  const engine = createAdapterEngine(receiver, options, { name: '@crmhooks/express', fix: BODY_PARSER_FIX });
  return (request, response, next) => {
    const url = lazyRequestUrl(request, request.originalUrl);
    if (!engine.matches(() => url().pathname)) {
      next?.();
      return;
    }
    engine
      .handle(adapterRequest(request, url))
      .then(
        (answer) => writeResponse(response, answer),
        (error: unknown) => (next ? next(error) : response.destroy(error as Error)),
      );
  };
}
