import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { InternalError } from '../errors/delivery-errors.js';
import { ConfigurationError, RawBodyRequiredError } from '../errors/usage-errors.js';
import { WebhookError } from '../errors/webhook-error.js';
import { checkRequest } from '../http/request-checks.js';
import { errorResponse, toHttpResponse, type HttpResponse } from '../http/response.js';
import type { ReceiveOutcome } from '../receive/outcome.js';
import type { DeliveryReceiver } from '../webhooks.js';
import { quietLogger, type Logger } from './logger.js';
import { resolveRawBody } from './raw-body-source.js';

/** Options every Node adapter (Express, Koa, `node:http`) takes. */
export interface AdapterOptions {
  /**
   * Only requests to this path are handled; others pass through (`next()`), or get
   * 404 from the `node:http` handler. Needed with `app.use(middleware)`; not with
   * `app.post(path, middleware)`. Default: every request that reaches the middleware.
   */
  readonly path?: string;
  /** Largest body read, in bytes. Default: the receiver's `maxBodyBytes` (1 MiB). */
  readonly maxBodyBytes?: number;
  /** How long a client may take to send the body before it is answered 408. Default: 10 s. */
  readonly bodyTimeoutMs?: number;
  /** Where rejected and failed deliveries are reported: `console`, a pino logger... Default: quiet. */
  readonly logger?: Logger;
  /**
   * The answer to a handled delivery. `status` must be 2xx. SuperOffice deliveries
   * are always answered 200, since SuperOffice counts anything else as a failure.
   * Default: 200 with a JSON summary of the events.
   */
  readonly success?: { readonly status?: number; readonly body?: unknown };
  /**
   * For integrations built on an adapter (the NestJS module): the advice given when a
   * body parser consumed the body without keeping it. Default: the framework's own.
   */
  readonly bodyParserFix?: string;
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
  /** Full URL the request was made to; called only if a provider signs URLs. */
  readonly url: () => string;
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
 * Builds the engine for one adapter. `fix` names the one line to change in that
 * framework when a body parser consumed the body without keeping the raw bytes.
 */
export function createAdapterEngine(
  receiver: DeliveryReceiver,
  options: AdapterOptions,
  framework: { readonly name: string; readonly fix: string },
): AdapterEngine {
  const limit = options.maxBodyBytes ?? receiver.maxBodyBytes;
  const logger = options.logger ?? quietLogger;
  const successStatus = options.success?.status ?? 200;
  if (!Number.isInteger(successStatus) || successStatus < 200 || successStatus > 299) {
    throw new ConfigurationError(`${framework.name}: success.status must be a 2xx status, got ${successStatus}.`);
  }
  const exactStatus = new Map(receiver.providers.map((provider) => [provider.name, provider.requiredSuccessStatus]));
  const needsUrl = receiver.providers.some((provider) => provider.signsUrl);
  let warnedAboutBodyParser = false;

  const answer = (outcome: ReceiveOutcome): HttpResponse => {
    if (outcome.status !== 200 || options.success === undefined) return toHttpResponse(outcome);
    const provider = outcome.events[0]?.provider;
    const status = (provider !== undefined && exactStatus.get(provider)) || successStatus;
    const response = toHttpResponse(outcome);
    return options.success.body === undefined
      ? { ...response, status }
      : { ...response, status, body: JSON.stringify(options.success.body) };
  };

  const report = (error: WebhookError, response: HttpResponse): HttpResponse => {
    const where = error.provider ? ` (${error.provider})` : '';
    if (error.status >= 500) logger.error(`crmhooks: ${error.status} ${error.code}${where}: ${error.message}`);
    else logger.warn(`crmhooks: ${error.status} ${error.code}${where}: ${error.message}`);
    return response;
  };

  return {
    matches: (pathname) => options.path === undefined || pathname() === options.path,

    async handle(request) {
      const rejected = checkRequest({
        method: request.method,
        contentType: request.headers['content-type'],
        contentLength: request.headers['content-length'],
        maxBodyBytes: limit,
      });
      if (rejected) return report(rejected, errorResponse(rejected));
      try {
        const raw = resolveRawBody(
          { request: request.request, kept: request.keptRawBody, parsed: request.parsedBody },
          limit,
          options.bodyParserFix ?? framework.fix,
          options.bodyTimeoutMs,
        );
        const body = typeof raw === 'string' || raw instanceof Uint8Array ? raw : await raw;
        const outcome = await receiver.receive({
          headers: request.headers,
          body,
          method: request.method,
          ...(needsUrl && { url: request.url() }),
        });
        return outcome.error ? report(outcome.error, toHttpResponse(outcome)) : answer(outcome);
      } catch (error) {
        if (error instanceof WebhookError) {
          const response = errorResponse(error);
          // A client that stalled mid-body is not read further: close the connection after answering.
          return report(error, error.status === 408 ? { ...response, headers: { ...response.headers, connection: 'close' } } : response);
        }
        if (error instanceof RawBodyRequiredError) {
          if (!warnedAboutBodyParser) {
            warnedAboutBodyParser = true;
            logger.error(`crmhooks: ${error.message}`);
          }
          return errorResponse(new WebhookError(500, 'raw_body_missing', error.message));
        }
        return report(new InternalError(error), errorResponse(new InternalError(error)));
      }
    },
  };
}
