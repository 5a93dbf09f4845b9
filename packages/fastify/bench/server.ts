/** A bench server in its own process: `node server.js <bare|crmhooks> <superoffice|highlevel>`. */
import Fastify from 'fastify';
import { crmhooks } from '@crmhooks/fastify';
import { announceUrl, ROUTE } from '../../../bench/support/bench-server.js';
import { verifyByHand } from '../../../bench/support/bare-verify.js';
import { benchReceiver, handleByHand } from '../../../bench/support/kit-receiver.js';

const [variant, provider] = process.argv.slice(2);
const app = Fastify();

if (variant === 'crmhooks') {
  await app.register(crmhooks, { receiver: benchReceiver(), path: ROUTE });
} else {
  // The hand-written endpoint keeps the bytes as a Buffer, to verify them.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post(ROUTE, async (request, reply) => {
    const payload = verifyByHand(provider!, request.headers, request.body as Buffer);
    if (payload === undefined) return reply.code(401).send({ error: 'invalid signature' });
    handleByHand(payload);
    return reply.code(200).send({ ok: true });
  });
}
announceUrl(await app.listen({ port: 0, host: '127.0.0.1' }));
