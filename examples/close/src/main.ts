import { createServer } from 'node:http';
import { createWebhooks } from '@crmhooks/core';
import { createNodeHandler } from '@crmhooks/core/node';
import { close } from './close.js';

const webhooks = createWebhooks({ providers: [close({ signatureKey: process.env.CLOSE_SIGNATURE_KEY ?? '' })] });
webhooks.on('close.opportunity.updated', (event) => console.log(`opportunity ${event.object_id} changed: ${event.changed_fields?.join(', ')}`));
webhooks.on(['association.created', 'association.deleted'], (link) => console.log(`${link.from.objectType} ${link.from.recordId} ${link.action} on lead ${link.to.recordId}`));

createServer(createNodeHandler(webhooks)).listen(Number(process.env.PORT ?? 3000), () => console.log('Close webhooks on :3000'));
