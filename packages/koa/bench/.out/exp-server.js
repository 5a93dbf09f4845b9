// bench/exp-server.ts
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
function verifyByHand(provider, headers, body) {
  if (provider === "superoffice") {
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
  const webhooks2 = createWebhooks({
    providers: [
      superoffice({ secret: process.env.BENCH_SECRET ?? "" }),
      highlevel({ publicKeys: process.env.BENCH_HIGHLEVEL_KEY ?? "" })
    ],
    store: new MemoryIdempotencyStore({ maxEntries: DISTINCT_DELIVERIES / 2 })
  });
  webhooks2.on("superoffice.relation.created", (event) => void (sink = event.FieldValues));
  webhooks2.on("highlevel.RelationCreate", (event) => void (sink = event.firstRecordId));
  return webhooks2;
}
function handleByHand(payload) {
  sink = payload;
}

// bench/exp-server.ts
var [variant] = process.argv.slice(2);
var app = new Koa();
var router = new Router();
var webhooks = benchReceiver();
if (variant === "kit") router.post(ROUTE, crmhooks(webhooks));
else if (variant === "receive") router.post(ROUTE, async (ctx) => {
  const body = await getRawBody(ctx.req, { length: ctx.get("content-length"), limit: "1mb" });
  const outcome = await webhooks.receive({ headers: ctx.headers, body });
  ctx.status = outcome.status;
  ctx.body = outcome.body;
});
else if (variant === "receive-nostore-small") {
  const { createWebhooks: createWebhooks2, superoffice: superoffice2 } = await import("@crmhooks/core");
  const w = createWebhooks2({ providers: [superoffice2({ secret: process.env.BENCH_SECRET })], store: { claim: () => "claimed", complete() {
  }, release() {
  } } });
  w.on("superoffice.relation.created", (e) => handleByHand(e));
  router.post(ROUTE, async (ctx) => {
    const body = await getRawBody(ctx.req, { length: ctx.get("content-length"), limit: "1mb" });
    const outcome = await w.receive({ headers: ctx.headers, body });
    ctx.status = outcome.status;
    ctx.body = { ok: true };
  });
} else if (variant === "receive-nostore") {
  const { createWebhooks: createWebhooks2, superoffice: superoffice2 } = await import("@crmhooks/core");
  const w = createWebhooks2({ providers: [superoffice2({ secret: process.env.BENCH_SECRET })], store: { claim: () => "claimed", complete() {
  }, release() {
  } } });
  w.on("superoffice.relation.created", (e) => handleByHand(e));
  router.post(ROUTE, async (ctx) => {
    const body = await getRawBody(ctx.req, { length: ctx.get("content-length"), limit: "1mb" });
    const outcome = await w.receive({ headers: ctx.headers, body });
    ctx.status = outcome.status;
    ctx.body = outcome.body;
  });
} else router.post(ROUTE, async (ctx) => {
  const body = await getRawBody(ctx.req, { length: ctx.get("content-length"), limit: "1mb" });
  const payload = verifyByHand("superoffice", ctx.headers, body);
  handleByHand(payload);
  ctx.body = { ok: true };
});
app.use(router.routes());
announce(createServer(app.callback()));
process.on("SIGINT", () => process.exit(0));
