import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { HttpResponse } from '../http/response.js';

/** The URL a Node request was made to, as seen by this server (not a proxy's public URL). */
export function requestUrl(request: IncomingMessage, originalUrl = request.url ?? '/'): URL {
  const scheme = (request.socket as TLSSocket).encrypted ? 'https' : 'http';
  return new URL(originalUrl, `${scheme}://${request.headers.host ?? 'localhost'}`);
}

/** The request URL, parsed on first use and at most once (most requests never need it). */
export function lazyRequestUrl(request: IncomingMessage, originalUrl?: string): () => URL {
  let url: URL | undefined;
  return () => (url ??= requestUrl(request, originalUrl));
}

/** Writes an answer to a Node response, unless the client is gone. */
export function writeResponse(response: ServerResponse, answer: HttpResponse): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}
