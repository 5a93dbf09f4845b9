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
        cpuMicros: () => new Promise((answer) => {
          child.once("message", (reply) => answer(reply.cpu));
          child.send("cpu");
        }),
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
async function measure(server2, deliveries2) {
  const cursor = { next: 0 };
  await load(server2.url, deliveries2, WARMUP_S, cursor);
  const cpuBefore = await server2.cpuMicros();
  const { rate, total } = await load(server2.url, deliveries2, DURATION_S, cursor);
  return { rate, cpuPerRequest: (await server2.cpuMicros() - cpuBefore) / total };
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
  return { rate: result.requests.average, total: result.requests.total };
}

// bench/exp.ts
var server = fileURLToPath(new URL("./exp-server.js", import.meta.url));
var { deliveries, highLevelPublicKey } = prepareDeliveries();
var env = { BENCH_SECRET, BENCH_HIGHLEVEL_KEY: highLevelPublicKey };
var best = {};
for (let i = 0; i < 2; i++) for (const v of ["bare", "bare+bigbody", "bare+store", "receive-nostore", "kit"]) {
  const s = await startChild(server, [v], env);
  const m = await measure(s, deliveries.superoffice);
  await s.stop();
  best[v] = Math.min(best[v] ?? Infinity, m.cpuPerRequest);
}
for (const [k, v] of Object.entries(best)) console.log(k.padEnd(18), v.toFixed(1) + " us CPU/request", "+" + (v - best.bare).toFixed(1));
