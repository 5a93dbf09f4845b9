/**
 * The Node HTTP layer shared by the Express and Koa adapters, and a plain
 * `node:http` handler. Import from `@crmhooks/core/node`.
 * @packageDocumentation
 */
export { createNodeHandler } from './http-handler.js';
export {
  createAdapterEngine,
  type AdapterEngine,
  type AdapterOptions,
  type AdapterRequest,
} from './adapter.js';
export { resolveRawBody, type BodySources } from './raw-body-source.js';
export { readNodeBody, RequestAbortedError } from './read-body.js';
export { lazyRequestUrl, requestUrl, writeResponse } from './http-io.js';
export { quietLogger, type Logger } from './logger.js';
