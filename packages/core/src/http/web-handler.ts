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
    const outcome = await receiver.receive({ headers: request.headers, body, method: request.method, url: request.url });
    return toResponse(answer(outcome));
  };
}

function toResponse(response: HttpResponse): Response {
  return new Response(response.body, { status: response.status, headers: response.headers });
}
