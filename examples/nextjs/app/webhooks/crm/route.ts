import { createWebHandler } from '@crmhooks/core';
import { webhooks } from '../../../lib/webhooks';

// Signatures are checked with node:crypto, so the route runs on the Node.js runtime.
export const runtime = 'nodejs';

const handle = createWebHandler(webhooks);

/** CRMs POST here; other methods get 405 with `Allow: POST`. */
export const POST = handle;
export const GET = handle;
