// bench/server.ts
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { crmhooks } from "@crmhooks/express";

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
var [variant, provider, version = "express5"] = process.argv.slice(2);
var express = createRequire(import.meta.url)(version);
var app = express();
if (variant === "crmhooks") {
  app.post(ROUTE, crmhooks(benchReceiver()));
} else {
  app.post(ROUTE, express.raw({ type: "application/json", limit: "1mb" }), (request, response) => {
    const payload = verifyByHand(provider, request.headers, request.body);
    if (payload === void 0) {
      response.status(401).json({ error: "invalid signature" });
      return;
    }
    handleByHand(payload);
    response.status(200).json({ ok: true });
  });
}
announce(createServer(app));
