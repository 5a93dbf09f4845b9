import { RequestAbortedError } from '../errors/request-errors.js';
import { WebhookError } from '../errors/webhook-error.js';
import type { DeliveryReceiver } from '../receive/receiver.js';
import { readWebBody } from './read-web-body.js';
import { pathPattern } from './path-pattern.js';
import { checkRequest } from './request-checks.js';
import { httpAnswers, notFound, refusal, type HttpResponse, type SuccessAnswer } from './response.js';

/** Options of {@link createWebHandler}. */
export interface WebHandlerOptions {
  /** The answer to handled deliveries; see `SuccessAnswer`. Default: 200 `{"ok":true}`. */
  readonly success?: SuccessAnswer;
  /**
   * The path deliveries are sent to; other paths are answered 404. A `:tenant` segment
   * (`/api/webhooks/superoffice/:tenant`) names the customer a delivery is for (see
   * `Delivery.tenant`). Default: any path.
   */
  readonly path?: string;
}

/**
 * A Web-standard handler, `(Request) => Promise<Response>`, for Next.js route handlers,
 * Hono, Bun, Deno and Cloudflare-style runtimes.
 *
 * @example
 * ```ts
 * export const POST = createWebHandler(webhooks);
 * ```
 */
export function createWebHandler(receiver: DeliveryReceiver, options: WebHandlerOptions = {}): (request: Request) => Promise<Response> {
  const answer = httpAnswers(receiver, options.success, 'createWebHandler');
  const path = options.path === undefined ? undefined : pathPattern(options.path, 'createWebHandler({ path })');
  return async (request) => {
    const route = path === undefined ? NO_TENANT : path.match(new URL(request.url).pathname);
    if (route === undefined) return toResponse(notFound(options.path!));
    const refused = checkRequest({
      method: request.method,
      contentType: request.headers.get('content-type'),
      contentLength: request.headers.get('content-length'),
      maxBodyBytes: receiver.maxBodyBytes,
    });
    if (refused) return toResponse(refusal(answer(receiver.refuse(refused, request.headers)), refused.code));
    let body: Uint8Array;
    try {
      body = await readWebBody(request.body, receiver.maxBodyBytes);
    } catch (error) {
      const refusedBody = error instanceof WebhookError ? error : new RequestAbortedError();
      return toResponse(refusal(answer(receiver.refuse(refusedBody, request.headers)), refusedBody.code));
    }
    const outcome = await receiver.receive({ headers: request.headers, body, method: request.method, url: calledUrls(request), tenant: route.tenant });
    return toResponse(answer(outcome));
  };
}

/**
 * The URLs the sender may have called, for providers that sign it (HubSpot): `request.url`, and
 * the same URL with the host of the Host header when that differs. Runtimes disagree on which is
 * the one called: Next.js rewrites `request.url`'s host (`localhost` for `127.0.0.1`), Miniflare
 * rewrites the Host header to its loopback address. Both are the request's own claims and the
 * signature must match one, so trying both trusts nothing more. Behind a proxy that changes
 * scheme, host or path, set the provider's `publicBaseUrl`.
 */
function calledUrls(request: Request): string | string[] {
  const host = request.headers.get('host');
  if (host === null) return request.url;
  const url = new URL(request.url);
  if (url.host === host) return request.url;
  url.host = host;
  return [request.url, url.href];
}

function toResponse(response: HttpResponse): Response {
  return new Response(response.body, { status: response.status, headers: response.headers });
}

const NO_TENANT: { readonly tenant?: string } = {};
