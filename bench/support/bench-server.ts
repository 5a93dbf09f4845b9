/** What a benchmark server process needs (no load generator here: servers import only this). */
export const BENCH_SECRET = 'bench-superoffice-secret';
export const ROUTE = '/webhooks/crm';
/** Deliveries cycled through; servers bound their store below this, so ids recur only once forgotten. */
export const DISTINCT_DELIVERIES = 20_000;

/** For the child: tell the parent where it listens, and report CPU time when asked. */
export function announceUrl(baseUrl: string): void {
  process.on('message', (message) => {
    if (message !== 'cpu') return;
    const { user, system } = process.cpuUsage();
    process.send?.({ cpu: user + system });
  });
  process.send?.({ url: `${baseUrl}${ROUTE}` });
}

/** For the child: listen on 127.0.0.1 and announce it. */
export function announce(server: import('node:http').Server): void {
  server.listen(0, '127.0.0.1', () => {
    const address = server.address() as import('node:net').AddressInfo;
    announceUrl(`http://127.0.0.1:${address.port}`);
  });
}
