/**
 * The Node HTTP layer shared by the Express, Koa, Fastify and NestJS adapters, and a
 * plain `node:http` handler. Import from `@crmhooks/core/node`.
 * @packageDocumentation
 */
export { createNodeHandler } from './http-handler.js';
export { createAdapterEngine, type AdapterEngine, type AdapterOptions, type AdapterRequest } from './adapter.js';
export { adapterRequest, lazyRequestUrl, requestUrl, writeResponse, type NodeRequest } from './http-io.js';
export type { HttpResponse, SuccessAnswer } from '../http/response.js';
