import { WebhookError } from '../errors/webhook-error.js';
import type { DeliveryReceiver } from '../webhooks.js';
import { readWebBody } from './read-web-body.js';
import { checkRequest } from './request-checks.js';
import { errorResponse, toHttpResponse, type HttpResponse } from './response.js';

/**
 * A Web-standard handler, `(request) => Promise<Response>`, for runtimes and
 * frameworks built on `Request`/`Response`: Hono, Next.js route handlers, Bun, Deno.
 *
 * @example
 * ```ts
 * // app/api/webhooks/crm/route.ts (Next.js)
 * export const POST = createWebHandler(webhooks);
 * ```
 */
export function createWebHandler(webhooks: DeliveryReceiver): (request: Request) => Promise<Response> {
  return async (request) => {
    const rejected = checkRequest({
      method: request.method,
      contentType: request.headers.get('content-type'),
      contentLength: request.headers.get('content-length'),
      maxBodyBytes: webhooks.maxBodyBytes,
    });
    if (rejected) return toResponse(errorResponse(rejected));
    let body: Uint8Array;
    try {
      body = await readWebBody(request.body, webhooks.maxBodyBytes);
    } catch (error) {
      if (error instanceof WebhookError) return toResponse(errorResponse(error));
      throw error;
    }
    const outcome = await webhooks.receive({ headers: request.headers, body, method: request.method, url: request.url });
    return toResponse(toHttpResponse(outcome));
  };
}

function toResponse(response: HttpResponse): Response {
  return new Response(response.body, { status: response.status, headers: response.headers });
}
