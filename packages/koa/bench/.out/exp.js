// bench/exp.ts
import { fileURLToPath } from "node:url";

// ../../bench/support/http-bench.ts
import { fork } from "node:child_process";
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
function startChild(entry, args, env2) {
  return new Promise((resolve, reject) => {
    const child = fork(entry, args, { env: { ...process.env, ...env2 }, stdio: "inherit" });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`bench server exited early (${code})`)));
    child.once(
      "message",
      (message) => resolve({
        url: message.url,
        stop: () => new Promise((done) => {
          child.removeAllListeners("exit");
          child.once("exit", () => done());
          child.kill();
        })
      })
    );
  });
}
var WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 2);
async function measure(url, deliveries2) {
  const cursor = { next: 0 };
  await load(url, deliveries2, WARMUP_S, cursor);
  return load(url, deliveries2, DURATION_S, cursor);
}
async function load(url, deliveries2, duration, cursor) {
  const result = await autocannon({
    url,
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
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  }
  return result.requests.average;
}

// bench/exp.ts
var server = fileURLToPath(new URL("./exp-server.js", import.meta.url));
var { deliveries, highLevelPublicKey } = prepareDeliveries();
var env = { BENCH_SECRET, BENCH_HIGHLEVEL_KEY: highLevelPublicKey };
var best = {};
for (let i = 0; i < 3; i++) for (const v of ["bare", "receive-nostore", "receive-nostore-small"]) {
  const s = await startChild(server, [v], env);
  const r = await measure(s.url, deliveries.superoffice);
  await s.stop();
  best[v] = Math.max(best[v] ?? 0, r);
}
for (const [k, v] of Object.entries(best)) console.log(k.padEnd(16), Math.round(v), (v / best.bare).toFixed(3), (1e6 / v).toFixed(1) + "us");
