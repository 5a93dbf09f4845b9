// The receiver every runtime under test runs: the three CRMs behind createWebHandler, from the
// built package, recording what it dispatched. Plain JavaScript, so no runtime needs a compiler.
import { createWebHandler, createWebhooks, highlevel, hubspot, superoffice } from '@crmhooks/core';

export function conformanceApp(config) {
  const webhooks = createWebhooks({
    providers: [
      superoffice({ secret: config.superOfficeSecret }),
      highlevel({ publicKeys: config.highLevelPublicKey }),
      hubspot({ clientSecret: config.hubSpotSecret }),
    ],
    logger: false,
  });
  const dispatched = [];
  webhooks.onAny((event) => void dispatched.push(`${event.name} ${event.deliveryId}`));
  const handle = createWebHandler(webhooks);
  return {
    fetch: (request) => (new URL(request.url).pathname === '/dispatched' ? Response.json(dispatched) : handle(request)),
  };
}
