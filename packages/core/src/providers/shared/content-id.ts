import { createHash } from 'node:crypto';

/**
 * A delivery id derived from the signed bytes, for deliveries that carry no id
 * of their own: a retry of the same delivery resends the same bytes, so it maps
 * to the same id.
 */
export function contentId(body: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(body).digest('base64url')}`;
}
