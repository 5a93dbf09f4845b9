import { spawn, spawnSync } from 'node:child_process';
import { freePort } from './free-port.js';

/** A redis-server of our own on 127.0.0.1, no persistence. */
export interface RedisServer {
  readonly url: string;
  stop(): Promise<void>;
}

/** Whether redis-server is installed. CI installs it (.ci/run); elsewhere the Redis tests say loudly that they skip. */
export function redisServerAvailable(): boolean {
  const available = spawnSync('redis-server', ['--version']).status === 0;
  if (!available && process.env.CI) throw new Error('redis-server is not installed; .ci/run installs it from Debian packages, and CI must not skip the Redis tests.');
  if (!available) console.warn('\n*** redis-server is not installed: SKIPPING the Redis tests (apt-get install redis-server) ***\n');
  return available;
}

/** Starts redis-server on a free port of 127.0.0.1, or on `port` (to bring a stopped one back). */
export async function startRedis(port?: number): Promise<RedisServer & { readonly port: number }> {
  port ??= await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${output}`)));
  });
  child.removeAllListeners('exit');
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}
