import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeliveryReceiver } from '@crmhooks/core';
import { createAdapterEngine, lazyRequestUrl, writeResponse, type AdapterOptions } from '@crmhooks/core/node';

/** Options of {@link crmhooks}; see `AdapterOptions`. */
export type CrmHooksExpressOptions = AdapterOptions;

/**
 * The parts of an Express request crmhooks reads (Express 4 and 5). An intersection, not
 * `extends`, so it composes with libraries that augment `IncomingMessage` (e.g. `rawBody: string`).
 */
export type ExpressLikeRequest = IncomingMessage & {
  /** Set by body parsers: a Buffer from `express.raw`, a string from `express.text`, an object from `express.json`. */
  body?: unknown;
  /** Raw bytes kept by `express.json({ verify })` or NestJS's `rawBody: true`. */
  rawBody?: unknown;
  originalUrl?: string;
};

const BODY_PARSER_FIX =
  'A JSON body parser (express.json()) read the body before crmhooks and kept no raw copy. Either mount the ' +
  'webhook route before app.use(express.json()), or keep the raw bytes: ' +
  'app.use(express.json({ verify: (req, _res, buf) => { req.rawBody = buf } })).';

/**
 * Express middleware receiving CRM webhooks: `app.post('/webhooks/crm', crmhooks(webhooks))`,
 * `router.post(...)`, or `app.use(crmhooks(webhooks, { path: '/webhooks/crm' }))`.
 * Works whatever body parsers the app already has; answers every delivery itself.
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
      .handle({
        request,
        method: request.method,
        headers: request.headers,
        keptRawBody: request.rawBody,
        parsedBody: request.body,
        url: () => url().href,
      })
      .then(
        (answer) => writeResponse(response, answer),
        (error: unknown) => (next ? next(error) : response.destroy(error as Error)),
      );
  };
}
