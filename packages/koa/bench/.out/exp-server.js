// bench/exp-server.ts
import { createServer } from "node:http";
import Router from "@koa/router";
import Koa from "koa";
import getRawBody from "raw-body";
import { createWebhooks as createWebhooks2, MemoryIdempotencyStore as MemoryIdempotencyStore2, superoffice as superoffice2 } from "@crmhooks/core";
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

// bench/exp-server.ts
var [variant] = process.argv.slice(2);
var app = new Koa();
var router = new Router();
var store = new MemoryIdempotencyStore2({ maxEntries: 1e4 });
var noStore = createWebhooks2({ providers: [superoffice2({ secret: process.env.BENCH_SECRET })], store: { claim: () => "claimed", complete() {
}, release() {
} } });
noStore.on("superoffice.relation.created", (e) => handleByHand(e));
var read = (ctx) => getRawBody(ctx.req, { length: ctx.get("content-length"), limit: "1mb" });
var variants = {
  bare: async (ctx) => {
    const p = verifyByHand("superoffice", ctx.headers, await read(ctx));
    handleByHand(p);
    ctx.body = { ok: true };
  },
  "bare+bigbody": async (ctx) => {
    const p = verifyByHand("superoffice", ctx.headers, await read(ctx));
    handleByHand(p);
    ctx.body = { ok: true, events: [{ name: "superoffice.relation.created", deliveryId: p.EventId, result: "handled" }] };
  },
  "bare+store": async (ctx) => {
    const p = verifyByHand("superoffice", ctx.headers, await read(ctx));
    const k = "superoffice:" + p.EventId;
    store.claim(k);
    handleByHand(p);
    store.complete(k);
    ctx.body = { ok: true };
  },
  "receive-nostore": async (ctx) => {
    const o = await noStore.receive({ headers: ctx.headers, body: await read(ctx) });
    ctx.status = o.status;
    ctx.body = { ok: true };
  },
  kit: crmhooks(benchReceiver())
};
router.post(ROUTE, variants[variant]);
app.use(router.routes());
announce(createServer(app.callback()));
