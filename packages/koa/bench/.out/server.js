// bench/server.ts
import { createServer } from "node:http";
import Router from "@koa/router";
import Koa from "koa";
import getRawBody from "raw-body";
import { crmhooks } from "@crmhooks/koa";

// ../../bench/support/http-bench.ts
import autocannon from "autocannon";
import {
  generateHighLevelKeyPair,
  highLevelDelivery,
  highLevelSample,
  superOfficeDelivery,
  superOfficeSample
} from "@crmhooks/core/testing";
var ROUTE = "/webhooks/crm";
var DISTINCT_DELIVERIES = 2e4;
var DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
var ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
function announce(server) {
  process.on("message", (message) => {
    if (message !== "cpu") return;
    const { user, system } = process.cpuUsage();
    process.send?.({ cpu: user + system });
  });
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    process.send?.({ url: `http://127.0.0.1:${address.port}${ROUTE}` });
  });
}
var WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);

// ../../bench/support/bare-verify.ts
import { createHmac, createPublicKey, timingSafeEqual, verify } from "node:crypto";
var secret = process.env.BENCH_SECRET ?? "";
var highLevelKey = process.env.BENCH_HIGHLEVEL_KEY ? createPublicKey(process.env.BENCH_HIGHLEVEL_KEY) : void 0;
function verifyByHand(provider2, headers, body) {
  if (provider2 === "superoffice") {
    const expected = createHmac("sha256", secret).update(body).digest();
    const given = Buffer.from(String(headers["x-superoffice-signature"] ?? ""), "base64");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return void 0;
  } else {
    const signature = Buffer.from(String(headers["x-ghl-signature"] ?? ""), "base64");
    if (!highLevelKey || !verify(null, body, highLevelKey, signature)) return void 0;
  }
  return JSON.parse(body.toString("utf8"));
}

// ../../bench/support/kit-receiver.ts
import { createWebhooks, highlevel, MemoryIdempotencyStore, superoffice } from "@crmhooks/core";
var sink;
function benchReceiver() {
  const webhooks = createWebhooks({
    providers: [
      superoffice({ secret: process.env.BENCH_SECRET ?? "" }),
      highlevel({ publicKeys: process.env.BENCH_HIGHLEVEL_KEY ?? "" })
    ],
    store: new MemoryIdempotencyStore({ maxEntries: DISTINCT_DELIVERIES / 2 })
  });
  webhooks.on("superoffice.relation.created", (event) => void (sink = event.FieldValues));
  webhooks.on("highlevel.RelationCreate", (event) => void (sink = event.firstRecordId));
  return webhooks;
}
function handleByHand(payload) {
  sink = payload;
}

// bench/server.ts
var [variant, provider] = process.argv.slice(2);
var app = new Koa();
var router = new Router();
if (variant === "crmhooks") {
  router.post(ROUTE, crmhooks(benchReceiver()));
} else {
  router.post(ROUTE, async (context) => {
    const body = await getRawBody(context.req, { length: context.get("content-length"), limit: "1mb" });
    const payload = verifyByHand(provider, context.headers, body);
    if (payload === void 0) {
      context.status = 401;
      context.body = { error: "invalid signature" };
      return;
    }
    handleByHand(payload);
    context.body = { ok: true };
  });
}
app.use(router.routes());
announce(createServer(app.callback()));
process.on("SIGINT", () => process.exit(0));
