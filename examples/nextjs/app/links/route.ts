import { links } from '../../lib/webhooks';

export const runtime = 'nodejs';

export async function GET(): Promise<Response> {
  return Response.json(await links.rows());
}
