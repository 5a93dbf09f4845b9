import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { InternalError } from '../errors/delivery-errors.js';
import { WebhookError } from '../errors/webhook-error.js';
import { checkRequest } from '../http/request-checks.js';
import { pathPattern, routeTenant } from '../http/path-pattern.js';
import { httpAnswers, refusal, type HttpResponse, type SuccessAnswer } from '../http/response.js';
import type { RawBody } from '../receive/body.js';
import type { DeliveryReceiver } from '../receive/receiver.js';
import { resolveRawBody } from './raw-body-source.js';

/** Options every Node adapter (Express, Koa, Fastify, NestJS, `node:http`) takes. */
export interface AdapterOptions {
  /**
   * Only requests to this path are handled; others pass through (`next()`), or get
   * 404 from the `node:http` handler. Needed with `app.use(middleware)`; not with
   * `app.post(path, middleware)`. A `:tenant` segment (`/webhooks/superoffice/:tenant`)
   * names the customer a delivery is for, as a router's `:tenant` parameter does (see
   * `Delivery.tenant`). Default: every request that reaches the middleware.
   */
  readonly path?: string;
  /** Largest body read, in bytes. Default: the receiver's `maxBodyBytes` (1 MiB). */
  readonly maxBodyBytes?: number;
  /** How long a client may take to send the body before it is answered 408 and disconnected. Default: 10 s. */
  readonly bodyTimeoutMs?: number;
  /**
   * The answer to a handled delivery. `status` must be 2xx. SuperOffice deliveries
   * are always answered 200, since SuperOffice counts anything else as a failure.
   * Default: 200 `{"ok":true}`.
   */
  readonly success?: SuccessAnswer;
}

/** What an adapter knows about one request, gathered by its framework-specific code. */
export interface AdapterRequest {
  readonly request: IncomingMessage;
  readonly method: string | undefined;
  readonly headers: IncomingHttpHeaders;
  /** A raw copy of the body kept by a body parser, if any. */
  readonly keptRawBody: unknown;
  /** The framework's parsed `body`, if any. */
  readonly parsedBody: unknown;
  /** Full URL the request was made to; called only if a provider signs URLs or the path names the tenant. */
  readonly url: () => string;
  /** The router's parameters (`req.params`, `ctx.params`): a `:tenant` one names the delivery's tenant. */
  readonly params?: unknown;
}

/**
 * The shared engine of every Node adapter: checks the request, finds the raw
 * body wherever the framework left it, receives the delivery, and returns the
 * answer to write. Adapters only gather the request and write the answer.
 */
export interface AdapterEngine {
  /**
   * Whether this request is for the webhook route (the `path` option). `pathname` is
   * called only when a path is configured, so adapters need not parse the URL otherwise.
   */
  matches(pathname: () => string | undefined): boolean;
  /** Handles one request; never throws. */
  handle(request: AdapterRequest): Promise<HttpResponse>;
}

/**
 * Builds the engine for one adapter. `framework.fix` names the one line to change in
 * that framework when a body parser consumed the body without keeping the raw bytes.
 */
export function createAdapterEngine(
  receiver: DeliveryReceiver,
  options: AdapterOptions,
  framework: { readonly name: string; readonly fix: string },
): AdapterEngine {
  const limit = options.maxBodyBytes ?? receiver.maxBodyBytes;
  const answer = httpAnswers(receiver, options.success, framework.name);
  const needsUrl = receiver.providers.some((provider) => provider.signsUrl || provider.readsUrl);
  const refuse = (error: WebhookError, headers: IncomingHttpHeaders) => refusal(answer(receiver.refuse(error, headers)), error.code);
  const path = options.path === undefined ? undefined : pathPattern(options.path, `${framework.name}'s path option`);
  const tenantOf = (request: AdapterRequest) =>
    routeTenant(request.params) ?? (path?.namesTenant ? path.match(new URL(request.url()).pathname)?.tenant : undefined);

  return {
    matches: (pathname) => path === undefined || path.match(pathname() ?? '') !== undefined,

    async handle(request) {
      const refused = checkRequest({
        method: request.method,
        contentType: request.headers['content-type'],
        contentLength: request.headers['content-length'],
        maxBodyBytes: limit,
      });
      if (refused) return refuse(refused, request.headers);
      let body: RawBody;
      try {
        const sources = { request: request.request, kept: request.keptRawBody, parsed: request.parsedBody };
        body = await resolveRawBody(sources, limit, framework.fix, options.bodyTimeoutMs);
      } catch (error) {
        return refuse(error instanceof WebhookError ? error : new InternalError(error), request.headers);
      }
      const outcome = await receiver.receive({
        headers: request.headers,
        body,
        method: request.method,
        url: needsUrl ? request.url() : undefined,
        tenant: tenantOf(request),
      });
      return answer(outcome);
    },
  };
}
