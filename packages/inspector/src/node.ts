import type { IncomingMessage, ServerResponse } from 'node:http';
import getRawBody from 'raw-body';
import { requestUrl } from '@crmhooks/core/node';

/** The inspector's forms are tiny; anything larger is not one of them. */
const MAX_FORM_BYTES = 16 * 1024;

type WebHandler = (request: Request, client: { readonly remoteAddress?: string }) => Promise<Response>;

/** A node:http listener around a Web handler, passing the client's address along. */
export function toNodeListener(handle: WebHandler): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    void (async () => {
      // Express strips its mount path from req.url and keeps the whole path in originalUrl.
      const url = requestUrl(request, (request as IncomingMessage & { originalUrl?: string }).originalUrl);
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
      const body = hasBody ? await getRawBody(request, { limit: MAX_FORM_BYTES }) : undefined;
      const answer = await handle(new Request(url, { method: request.method, headers, ...(body && { body }) }), {
        ...(request.socket.remoteAddress && { remoteAddress: request.socket.remoteAddress }),
      });
      response.writeHead(answer.status, Object.fromEntries(answer.headers));
      response.end(Buffer.from(await answer.arrayBuffer()));
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead((error as { status?: number }).status === 413 ? 413 : 500, { 'content-type': 'text/plain' });
      response.end('The inspector could not answer this request.');
    });
  };
}
