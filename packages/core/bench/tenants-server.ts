/**
 * A bench server for the tenant benchmark: `node tenants-server.js <hand-written|crmhooks-static|crmhooks-lookup|crmhooks-array>`.
 * Tenant `CustN`'s secret is `bench-secret-CustN`; every endpoint runs one handler.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createWebhooks, MemoryIdempotencyStore, superoffice } from '@crmhooks/core';
import { createNodeHandler } from '@crmhooks/core/node';
import { announce, BENCH_SECRET, DISTINCT_DELIVERIES } from '../../../bench/support/bench-server.js';
import { handleByHand } from '../../../bench/support/kit-receiver.js';

const tenantSecret = (tenant: string) => `bench-secret-${tenant}`;

/** The vendor's table of customers: a Map, as a cached database read would be. */
const customers = new Map(Array.from({ length: 10_000 }, (_, index) => [`Cust${index}`, tenantSecret(`Cust${index}`)]));

/** What a careful user writes for a secret per tenant: parse, look the tenant's secret up, verify, answer. */
function handWritten(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const payload = JSON.parse(body.toString('utf8')) as { ContextIdentifier?: string };
    const secret = customers.get(String(payload.ContextIdentifier));
    const given = Buffer.from(String(request.headers['x-superoffice-signature'] ?? ''), 'base64');
    const expected = secret === undefined ? undefined : createHmac('sha256', secret).update(body).digest();
    const valid = expected !== undefined && given.length === expected.length && timingSafeEqual(given, expected);
    if (valid) handleByHand(payload);
    response.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' });
    response.end(valid ? '{"ok":true}' : '{"error":"invalid signature"}');
  });
}

function kit(secret: Parameters<typeof superoffice>[0]['secret']) {
  const webhooks = createWebhooks({ providers: [superoffice({ secret })], store: new MemoryIdempotencyStore({ maxEntries: DISTINCT_DELIVERIES / 2 }) });
  webhooks.on('superoffice.relation.created', (event) => void handleByHand(event.FieldValues));
  return createNodeHandler(webhooks);
}

const [variant] = process.argv.slice(2);
const listeners: Record<string, () => (request: IncomingMessage, response: ServerResponse) => void> = {
  'hand-written': () => handWritten,
  'crmhooks-static': () => kit(BENCH_SECRET),
  'crmhooks-lookup': () => kit((tenant) => customers.get(tenant)),
  // Before lookups: every tenant's secret in one array, each tried in turn.
  'crmhooks-array': () => kit([...customers.values()]),
};
const listener = listeners[variant!]!();
announce(createServer(listener));
process.on('SIGINT', () => process.exit(0));
