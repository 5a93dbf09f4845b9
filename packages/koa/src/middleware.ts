import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { DeliveryReceiver } from '@crmhooks/core';
import { createAdapterEngine, type AdapterOptions } from '@crmhooks/core/node';

/** Options of {@link crmhooks}; see `AdapterOptions`. */
export type CrmHooksKoaOptions = AdapterOptions;

/** The parts of a Koa context crmhooks reads and writes (Koa 2 and 3). */
export interface KoaLikeContext {
  readonly req: IncomingMessage;
  readonly method: string;
  readonly path: string;
  readonly href: string;
  readonly headers: IncomingHttpHeaders;
  /** `body` and `rawBody` are set by @koa/bodyparser, koa-bodyparser and koa-body. */
  readonly request: { readonly body?: unknown; readonly rawBody?: unknown };
  /** Set by @koa/router: a `:tenant` parameter names the delivery's tenant. */
  readonly params?: unknown;
  status: number;
  body: unknown;
  set(fields: { [name: string]: string }): void;
}

/** Where koa-body keeps the raw body when `includeUnparsed: true`. */
const KOA_BODY_UNPARSED = Symbol.for('unparsedBody');

const BODY_PARSER_FIX =
  'A body parser read the body before crmhooks and kept no raw copy. Either register crmhooks before the ' +
  'body parser, or use one that keeps the raw body: @koa/bodyparser (ctx.request.rawBody) or ' +
  'koaBody({ includeUnparsed: true }).';

/**
 * Koa middleware receiving CRM webhooks: `router.all('/webhooks/crm', crmhooks(webhooks))`
 * or `app.use(crmhooks(webhooks, { path: '/webhooks/crm' }))`.
 * Works whatever body parser the app already has; answers every delivery itself.
 */
export function crmhooks(
  receiver: DeliveryReceiver,
  options: CrmHooksKoaOptions = {},
): (context: KoaLikeContext, next: () => Promise<unknown>) => Promise<void> {
  const engine = createAdapterEngine(receiver, options, { name: '@crmhooks/koa', fix: BODY_PARSER_FIX });
  return async (context, next) => {
    if (!engine.matches(() => context.path)) {
      await next();
      return;
    }
    const parsed = context.request.body;
    const answer = await engine.handle({
      request: context.req,
      method: context.method,
      headers: context.headers,
      keptRawBody: context.request.rawBody ?? unparsedBody(parsed),
      parsedBody: parsed,
      url: () => context.href,
      params: context.params,
    });
    context.status = answer.status;
    context.set(answer.headers); // Content-Type first, so Koa keeps it for the string body.
    context.body = answer.body;
  };
}

function unparsedBody(parsed: unknown): unknown {
  return typeof parsed === 'object' && parsed !== null
    ? (parsed as { [KOA_BODY_UNPARSED]?: unknown })[KOA_BODY_UNPARSED]
    : undefined;
}
