/**
 * No framework: signed deliveries from both CRMs (and a duplicate and a forgery)
 * through the Web-standard handler, printing each answer.
 */
import { generateHighLevelKeyPair, toRequest } from '@crmhooks/core/testing';
import { config, scenario } from '@crmhooks/example-links';
import { createApp } from './app.js';

const { superOfficeSecret, hubSpotClientSecret } = config();
const devKey = generateHighLevelKeyPair(); // trusted below; HighLevel's published key is the default
const app = createApp({ superOfficeSecret, highLevelPublicKeys: [devKey.publicKey], ...(hubSpotClientSecret && { hubSpotClientSecret }) });
const url = 'http://127.0.0.1/webhooks/crm';

let unexpected = 0;
for (const step of scenario({ superOfficeSecret, highLevelKey: devKey.privateKey, hubSpotSecret: hubSpotClientSecret, url })) {
  const response = await app.handle(toRequest(step.delivery, url));
  if (response.status !== step.expectedStatus) unexpected += 1;
  console.log(`${response.status} ${step.provider} ${step.event}${step.note ? ` (${step.note})` : ''}: ${await response.text()}`);
}
const linked = (await app.links.rows()).filter((row) => row.state === 'linked').length;
console.log(`${linked} records linked; ${unexpected === 0 ? 'every answer as expected' : `${unexpected} unexpected answers`}.`);
await app.links.close();
process.exitCode = unexpected === 0 ? 0 : 1;
