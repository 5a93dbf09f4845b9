/**
 * What a careful user writes by hand, shared by the hand-written bench endpoints:
 * verify the signature of the raw body with node:crypto, then JSON.parse.
 */
import { createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto';

const secret = process.env.BENCH_SECRET ?? '';
const highLevelKey = process.env.BENCH_HIGHLEVEL_KEY ? createPublicKey(process.env.BENCH_HIGHLEVEL_KEY) : undefined;

/** Returns the parsed payload, or undefined if the signature is wrong. */
export function verifyByHand(provider: string, headers: Record<string, unknown>, body: Buffer): unknown {
  if (provider === 'superoffice') {
    const expected = createHmac('sha256', secret).update(body).digest();
    const given = Buffer.from(String(headers['x-superoffice-signature'] ?? ''), 'base64');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  } else {
    const signature = Buffer.from(String(headers['x-ghl-signature'] ?? ''), 'base64');
    if (!highLevelKey || !verify(null, body, highLevelKey, signature)) return undefined;
  }
  return JSON.parse(body.toString('utf8'));
}
