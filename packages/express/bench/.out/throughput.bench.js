// bench/throughput.bench.ts
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
function startChild(entry, args, env) {
  return new Promise((resolve, reject) => {
    const child = fork(entry, args, { env: { ...process.env, ...env }, stdio: "inherit" });
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
async function measure(url, deliveries) {
  const cursor = { next: 0 };
  await load(url, deliveries, WARMUP_S, cursor);
  return load(url, deliveries, DURATION_S, cursor);
}
async function load(url, deliveries, duration, cursor) {
  const result = await autocannon({
    url,
    connections: 10,
    duration,
    requests: [
      {
        method: "POST",
        setupRequest: (request) => {
          const delivery = deliveries[cursor.next++ % deliveries.length];
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
async function compare(framework, serverEntry, providers) {
  const { deliveries, highLevelPublicKey } = prepareDeliveries();
  const env = { BENCH_SECRET, BENCH_HIGHLEVEL_KEY: highLevelPublicKey };
  const best = /* @__PURE__ */ new Map();
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const provider of providers) {
      for (const variant of ["bare", "crmhooks"]) {
        const server2 = await startChild(serverEntry, [variant, provider], env);
        try {
          const rate = await measure(server2.url, deliveries[provider]);
          const key = `${provider}:${variant}`;
          best.set(key, Math.max(best.get(key) ?? 0, rate));
        } finally {
          await server2.stop();
        }
      }
    }
    process.stderr.write(`${framework}: round ${round}/${ROUNDS} done
`);
  }
  return providers.map((provider) => ({
    framework,
    provider,
    bare: best.get(`${provider}:bare`),
    kit: best.get(`${provider}:crmhooks`)
  }));
}
function printTable(rows, target = 0.95) {
  console.log(
    `
autocannon, 10 connections, ${WARMUP_S} s warm-up then ${DURATION_S} s measured per run, best of ${ROUNDS} interleaved rounds; Node ${process.version}
`
  );
  console.log("| framework | provider | hand-written req/s | crmhooks req/s | ratio | target >= " + target + "x |");
  console.log("| --- | --- | ---: | ---: | ---: | --- |");
  for (const row of rows) {
    const ratio = row.kit / row.bare;
    console.log(
      `| ${row.framework} | ${row.provider} | ${Math.round(row.bare).toLocaleString("en-US")} | ${Math.round(row.kit).toLocaleString("en-US")} | ${ratio.toFixed(3)}x | ${ratio >= target ? "met" : "MISSED"} |`
    );
  }
}

// bench/throughput.bench.ts
var server = fileURLToPath(new URL("./server.js", import.meta.url));
printTable(await compare("Express 5", server, ["superoffice", "highlevel"]));
