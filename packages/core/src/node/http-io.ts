import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { HttpResponse } from '../http/response.js';
import type { AdapterRequest } from './adapter.js';

/**
 * A Node request and what Express-style body parsers leave on it. An intersection, not
 * `extends`, so it composes with libraries that augment `IncomingMessage` (e.g. `rawBody: string`).
 */
export type NodeRequest = IncomingMessage & {
  /** Set by body parsers: a Buffer from `express.raw`, a string from `express.text`, an object from `express.json`. */
  body?: unknown;
  /** Raw bytes kept by `express.json({ verify })` or NestJS's `rawBody: true`. */
  rawBody?: unknown;
  /** The URL before a router stripped its mount path (Express). */
  originalUrl?: string;
  /** Route parameters (Express): `:tenant` names the delivery's tenant. */
  params?: unknown;
};

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

/** What the adapter engine needs of a Node request: headers, where its body may be, and its URL. */
export function adapterRequest(request: NodeRequest, url: () => URL): AdapterRequest {
  return {
    request,
    method: request.method,
    headers: request.headers,
    keptRawBody: request.rawBody,
    parsedBody: request.body,
    url: () => url().href,
    params: request.params,
  };
}

/** Writes an answer to a Node response, unless the client is gone. */
export function writeResponse(response: ServerResponse, answer: HttpResponse): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}
