import { spawn, spawnSync } from 'node:child_process';
import { freePort } from './free-port.js';

/** A redis-server of our own on 127.0.0.1. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  /** Ends the server with SIGKILL, as a crash would: no shutdown save, no goodbye to clients. */
  kill(): Promise<void>;
}

/** Whether redis-server is installed. CI installs it (.ci/run); elsewhere the Redis tests say loudly that they skip. */
export function redisServerAvailable(): boolean {
  const available = spawnSync('redis-server', ['--version']).status === 0;
  if (!available && process.env.CI) throw new Error('redis-server is not installed; .ci/run installs it from Debian packages, and CI must not skip the Redis tests.');
  if (!available) console.warn('\n*** redis-server is not installed: SKIPPING the Redis tests (apt-get install redis-server) ***\n');
  return available;
}

/** Options of {@link startRedis}. */
export interface RedisOptions {
  /** Listen here (to bring a stopped server back); a free port by default. */
  readonly port?: number;
  /**
   * Keep an append-only file in this directory (`appendonly yes`, `appendfsync always`), so a
   * server started again on it has every acknowledged write. Default: no persistence at all.
   */
  readonly appendOnlyDir?: string;
  /** More redis-server arguments, e.g. `['--rename-command', 'INFO', '']` to act like a managed Redis. */
  readonly args?: readonly string[];
}

/** Starts redis-server on 127.0.0.1. A number is read as `{ port }`. */
export async function startRedis(options: number | RedisOptions = {}): Promise<RedisServer> {
  const { port = await freePort(), appendOnlyDir, args = [] } = typeof options === 'number' ? { port: options } : options;
  const persistence = appendOnlyDir
    ? ['--dir', appendOnlyDir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '']
    : ['--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...persistence, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    // Generous: a busy machine (CI beside other work) can take seconds to start a process.
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 60 s:\n${output}`)), 60_000);
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
  const end = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  return { port, url: `redis://127.0.0.1:${port}`, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}
