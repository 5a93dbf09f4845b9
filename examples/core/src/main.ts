/**
 * Sends signed deliveries from both CRMs (and a duplicate, a forgery and a
 * malformed body) through the Web-standard handler, and prints each answer.
 */
import { generateHighLevelKeyPair } from '@crmhooks/core/testing';
import { createApp } from './app.js';
import { demoDeliveries } from './deliveries.js';

// Development defaults; a real app reads these from its environment.
const superOfficeSecret = process.env.SUPEROFFICE_WEBHOOK_SECRET ?? 'dev-superoffice-secret';
const devKey = generateHighLevelKeyPair();

const app = createApp({ superOfficeSecret, highLevelPublicKeys: [devKey.publicKey] });
let unexpected = 0;
for (const { label, request, expected } of demoDeliveries({ superOfficeSecret, highLevelKey: devKey.privateKey })) {
  const logged = app.log.length;
  const response = await app.handle(request);
  const body = (await response.json()) as { error?: { message: string } };
  const ok = response.status === expected;
  if (!ok) unexpected += 1;
  const detail = body.error ? body.error.message : app.log.slice(logged).join('; ') || 'nothing to do';
  console.log(`${ok ? 'ok ' : 'BAD'} ${response.status} ${label.padEnd(38)} ${detail}`);
}
console.log(`\n${app.links.size} record links indexed; ${unexpected === 0 ? 'every answer as expected' : `${unexpected} unexpected answers`}.`);
process.exitCode = unexpected === 0 ? 0 : 1;
