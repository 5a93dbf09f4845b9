import type { SignedDelivery } from '@crmhooks/core/testing';

/** Quotes for a POSIX shell: the body must reach the server byte for byte, or the signature fails. */
const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** A curl command that sends the delivery exactly. */
export function toCurl(url: string, delivery: SignedDelivery): string {
  const headers = Object.entries(delivery.headers).map(([name, value]) => `  -H ${quote(`${name}: ${value}`)}`);
  return [`curl -sS -X POST ${quote(url)}`, ...headers, `  --data-binary ${quote(delivery.body)}`].join(' \\\n');
}
