// bench/exp2.ts
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";

// ../../bench/support/http-bench.ts
import autocannon from "autocannon";
import {
  generateHighLevelKeyPair,
  highLevelDelivery,
  highLevelSample,
  superOfficeDelivery,
  superOfficeSample
} from "@crmhooks/core/testing";
var BENCH_SECRET = "bench-superoffice-secret";
var DISTINCT_DELIVERIES = 2e4;
var DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
var ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
function prepareDeliveries() {
  const key = generateHighLevelKeyPair();
  const superoffice = Array.from(
    { length: DISTINCT_DELIVERIES },
    (_, index) => superOfficeDelivery({ secret: BENCH_SECRET, payload: { ...superOfficeSample("relation.created"), EventId: `so-${index}` } })
  );
  const highlevel = Array.from(
    { length: DISTINCT_DELIVERIES },
    (_, index) => highLevelDelivery({ type: "RelationCreate", payload: highLevelSample("RelationCreate"), privateKey: key.privateKey, webhookId: `hl-${index}` })
  );
  return { deliveries: { superoffice, highlevel }, highLevelPublicKey: key.publicKey };
}
var WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);
async function measure(url2, deliveries2) {
  const cursor = { next: 0 };
  await load(url2, deliveries2, WARMUP_S, cursor);
  return load(url2, deliveries2, DURATION_S, cursor);
}
async function load(url2, deliveries2, duration, cursor) {
  const result = await autocannon({
    url: url2,
    connections: 10,
    duration,
    requests: [
      {
        method: "POST",
        setupRequest: (request) => {
          const delivery = deliveries2[cursor.next++ % deliveries2.length];
          return { ...request, headers: { ...delivery.headers }, body: delivery.body };
        }
      }
    ]
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url2}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return result.requests.average;
}

// bench/exp2.ts
var server = fileURLToPath(new URL("./exp-server.js", import.meta.url));
var { deliveries, highLevelPublicKey } = prepareDeliveries();
var variant = process.argv[2];
var child = fork(server, [variant], { env: { ...process.env, BENCH_SECRET, BENCH_HIGHLEVEL_KEY: highLevelPublicKey }, execArgv: ["--cpu-prof", "--cpu-prof-dir=/tmp/xprof-" + variant] });
var url = await new Promise((r) => child.once("message", (m) => r(m.url)));
console.log(variant, Math.round(await measure(url, deliveries.superoffice)));
child.kill("SIGINT");
