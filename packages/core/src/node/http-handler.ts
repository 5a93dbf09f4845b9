import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeliveryReceiver } from '../receive/receiver.js';
import { notFound } from '../http/response.js';
import { createAdapterEngine, type AdapterOptions } from './adapter.js';
import { adapterRequest, lazyRequestUrl, writeResponse } from './http-io.js';

/**
 * A plain `node:http` request listener: `http.createServer(createNodeHandler(webhooks))`.
 * With `path`, other paths get 404.
 */
export function createNodeHandler(
  receiver: DeliveryReceiver,
  options: AdapterOptions = {},
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const engine = createAdapterEngine(receiver, options, {
    name: 'createNodeHandler',
    fix: 'Pass the request to crmhooks before anything reads its body.',
  });
  return async (request, response) => {
    const url = lazyRequestUrl(request);
    if (!engine.matches(() => url().pathname)) {
      writeResponse(response, notFound(options.path!));
      return;
    }
    writeResponse(response, await engine.handle(adapterRequest(request, url)));
  };
}
