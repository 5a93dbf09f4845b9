/**
 * Server CPU per request when each customer has its own SuperOffice secret, with 1 tenant and with
 * 10,000 (deliveries spread evenly over them): crmhooks' secret lookup against the hand-written
 * endpoint a vendor would write (parse, look the secret up in a Map, HMAC), and crmhooks with one
 * static secret (a one-customer app) as the reference; and, for 10,000 tenants, what a vendor had
 * to do before: every tenant's secret in one array, tried in turn. Rounds alternate every endpoint, each run in
 * a fresh server process; medians over the rounds.
 */
import { fileURLToPath } from 'node:url';
import { superOfficeDelivery, superOfficeSample, type SignedDelivery } from '@crmhooks/core/testing';
import { BENCH_SECRET, DISTINCT_DELIVERIES } from '../../../bench/support/bench-server.js';
import { measure, startChild, type Measurement } from '../../../bench/support/http-bench.js';
import { median } from '../../../bench/support/median.js';

const server = fileURLToPath(new URL('./tenants-server.js', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);

function deliveries(tenants: number, secretOf: (tenant: string) => string): SignedDelivery[] {
  return Array.from({ length: DISTINCT_DELIVERIES }, (_, index) => {
    const tenant = `Cust${index % tenants}`;
    return superOfficeDelivery({ secret: secretOf(tenant), payload: { ...superOfficeSample('relation.created'), EventId: `t-${index}`, ContextIdentifier: tenant } });
  });
}

const perTenant = (tenant: string) => `bench-secret-${tenant}`;
const runs = [
  { name: 'hand-written, secret per tenant', variant: 'hand-written', tenants: 1, sent: deliveries(1, perTenant) },
  { name: 'crmhooks, one static secret', variant: 'crmhooks-static', tenants: 1, sent: deliveries(1, () => BENCH_SECRET) },
  { name: 'crmhooks, secret lookup', variant: 'crmhooks-lookup', tenants: 1, sent: deliveries(1, perTenant) },
  { name: 'hand-written, secret per tenant', variant: 'hand-written', tenants: 10_000, sent: deliveries(10_000, perTenant) },
  { name: 'crmhooks, secret lookup', variant: 'crmhooks-lookup', tenants: 10_000, sent: deliveries(10_000, perTenant) },
  { name: "crmhooks, every tenant's secret in one array (before lookups)", variant: 'crmhooks-array', tenants: 10_000, sent: deliveries(10_000, perTenant) },
] as const;

const measured = runs.map((): Measurement[] => []);
for (let round = 1; round <= ROUNDS; round += 1) {
  for (const [index, run] of runs.entries()) {
    const child = await startChild(server, [run.variant], {});
    try {
      measured[index]!.push(await measure(child, [...run.sent]));
    } finally {
      await child.stop();
    }
  }
  process.stderr.write(`tenants: round ${round}/${ROUNDS} done\n`);
}

const cpu = (index: number) => median(measured[index]!.map((one) => one.cpuPerRequest));
const perRound = (a: number, b: number) => measured[a]!.map((one, round) => measured[b]![round]!.cpuPerRequest / one.cpuPerRequest);
const spread = (ratios: number[]) => `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
console.log(`\nSuperOffice, a secret per tenant; autocannon, 10 connections; ${ROUNDS} rounds, each endpoint in a fresh process; medians; Node ${process.version}\n`);
console.log('| endpoint | tenants | server CPU per request | vs hand-written, same tenants | over the rounds | req/s |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [index, run] of runs.entries()) {
  const handWritten = run.tenants === 1 ? 0 : 3;
  const ratios = perRound(index, handWritten);
  console.log(
    `| ${run.name} | ${run.tenants.toLocaleString('en-US')} | ${cpu(index).toFixed(1)} µs | ${median(ratios).toFixed(3)}x | ${spread(ratios)} | ` +
      `${Math.round(median(measured[index]!.map((one) => one.rate))).toLocaleString('en-US')} |`,
  );
}
const flat = perRound(4, 2);
console.log(`\n- crmhooks' lookup, CPU per request with 1 tenant ÷ with 10,000: ${median(flat).toFixed(3)}x, over the rounds ${spread(flat)} (flat: 1.0x)`);
const handFlat = perRound(3, 0);
console.log(`- the hand-written endpoint, the same: ${median(handFlat).toFixed(3)}x, over the rounds ${spread(handFlat)}`);
