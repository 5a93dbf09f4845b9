/** A bench server in its own process: `node server.js <bare|crmhooks> <superoffice|highlevel>`. */
import { createServer } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { crmhooks } from '@crmhooks/koa';
import { announce, ROUTE } from '../../../bench/support/bench-server.js';
import { verifyByHand } from '../../../bench/support/bare-verify.js';
import { benchReceiver, handleByHand } from '../../../bench/support/kit-receiver.js';

const [variant, provider] = process.argv.slice(2);
const app = new Koa();
const router = new Router();

if (variant === 'crmhooks') {
  router.post(ROUTE, crmhooks(benchReceiver()));
} else {
  router.post(ROUTE, async (context) => {
    const body = await getRawBody(context.req, { length: context.get('content-length'), limit: '1mb' });
    const payload = verifyByHand(provider!, context.headers, body);
    if (payload === undefined) {
      context.status = 401;
      context.body = { error: 'invalid signature' };
      return;
    }
    handleByHand(payload);
    context.body = { ok: true };
  });
}
app.use(router.routes());
announce(createServer(app.callback()));
process.on('SIGINT', () => process.exit(0));
