import { RequestAbortedError } from '../errors/request-errors.js';
import { WebhookError } from '../errors/webhook-error.js';
import type { DeliveryReceiver } from '../receive/receiver.js';
import { readWebBody } from './read-web-body.js';
import { checkRequest } from './request-checks.js';
import { httpAnswers, refusal, type HttpResponse, type SuccessAnswer } from './response.js';

/** Options of {@link createWebHandler}. */
export interface WebHandlerOptions {
  /** The answer to handled deliveries; see `SuccessAnswer`. Default: 200 `{"ok":true}`. */
  readonly success?: SuccessAnswer;
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
  return async (request) => {
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
    const outcome = await receiver.receive({ headers: request.headers, body, method: request.method, url: calledUrl(request) });
    return toResponse(answer(outcome));
  };
}

/**
 * The URL the sender called, for providers that sign it (HubSpot): `request.url` with the host
 * the request names in its Host header, as the Node adapters do. Some frameworks rewrite
 * `request.url`'s host (Next.js serves `localhost` for `127.0.0.1`); behind a proxy that
 * changes more than the host, set the provider's `publicBaseUrl`.
 */
function calledUrl(request: Request): string {
  const host = request.headers.get('host');
  if (host === null) return request.url;
  const url = new URL(request.url);
  url.host = host;
  return url.href;
}

function toResponse(response: HttpResponse): Response {
  return new Response(response.body, { status: response.status, headers: response.headers });
}
