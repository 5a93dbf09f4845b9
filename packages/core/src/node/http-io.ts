import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { HttpResponse } from '../http/response.js';

/** The URL a Node request was made to, as seen by this server (not a proxy's public URL). */
export function requestUrl(request: IncomingMessage, originalUrl = request.url ?? '/'): URL {
  const scheme = (request.socket as TLSSocket).encrypted ? 'https' : 'http';
  return new URL(originalUrl, `${scheme}://${request.headers.host ?? 'localhost'}`);
}

/** Writes an answer to a Node response, unless the client is gone. */
export function writeResponse(response: ServerResponse, answer: HttpResponse): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}
