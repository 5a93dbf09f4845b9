import { links } from '../../lib/webhooks';

export const runtime = 'nodejs';

export function GET(): Response {
  return Response.json(links.list());
}
