import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { AdapterEngine } from '@crmhooks/core/node';

/** The parts of a Fastify request and reply the route uses (Fastify 4 and 5). */
export interface FastifyLikeRequest {
  readonly raw: IncomingMessage;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly protocol?: string;
  /** Host with port (Fastify 5); `hostname` had it in Fastify 4. */
  readonly host?: string;
  readonly hostname?: string;
  readonly url: string;
  readonly body?: unknown;
  /** Kept by Nest when the app is created with `rawBody: true`. */
  readonly rawBody?: unknown;
}
export interface FastifyLikeReply {
  code(status: number): FastifyLikeReply;
  headers(headers: Readonly<Record<string, string>>): FastifyLikeReply;
  send(body: string): FastifyLikeReply;
}

/** A Fastify route handler over the shared adapter engine. */
export function fastifyRoute(engine: AdapterEngine) {
  return async (request: FastifyLikeRequest, reply: FastifyLikeReply): Promise<FastifyLikeReply> => {
    const answer = await engine.handle({
      request: request.raw,
      method: request.method,
      headers: request.headers,
      keptRawBody: request.rawBody,
      parsedBody: request.body,
      url: () => `${request.protocol ?? 'http'}://${request.host ?? request.hostname ?? 'localhost'}${request.url}`,
    });
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  };
}
