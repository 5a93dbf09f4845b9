import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** A throwaway Postgres cluster on 127.0.0.1: its own data directory, removed on stop. */
export interface PostgresServer {
  readonly url: string;
  /** Ends every Postgres process at once (an immediate shutdown), as a crash would. */
  crash(): Promise<void>;
  /** Starts it again on the same data and port, after `crash`. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Debian keeps the server binaries out of PATH, one folder per major. */
function binaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  return majors.map((major) => join(root, major, 'bin')).find((bin) => existsSync(join(bin, 'initdb')));
}

/** Whether a Postgres server is installed. CI installs it (.ci/run) and must not skip the Postgres tests. */
export function postgresAvailable(): boolean {
  const available = binaries() !== undefined;
  if (!available && process.env.CI) throw new Error('Postgres is not installed; .ci/run installs it from Debian packages, and CI must not skip the Postgres tests.');
  if (!available) console.warn('\n*** Postgres is not installed: SKIPPING the Postgres tests (apt-get install postgresql) ***\n');
  return available;
}

/** Postgres refuses to run as root: as root, run it as the `postgres` user the Debian package creates. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Starts a fresh cluster (initdb in a temporary directory) on a free port; trust authentication, no fsync. */
export async function startPostgres(options: { readonly durable?: boolean; readonly settings?: readonly string[] } = {}): Promise<PostgresServer> {
  const bin = binaries();
  if (!bin) throw new Error('Postgres is not installed (apt-get install postgresql).');
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'crmhooks-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'], {
    ...user,
    encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`);

  const port = await freePort();
  // Durable: a commit is on disk (the kernel's, which outlives the server) before it is answered.
  const settings = [
    'listen_addresses=127.0.0.1',
    `unix_socket_directories=${dir}`,
    'fsync=off',
    `synchronous_commit=${options.durable ? 'on' : 'off'}`,
    'full_page_writes=off',
    ...(options.settings ?? []),
  ];
  const run = async () => {
    const server = spawn(join(bin, 'postgres'), ['-D', data, '-p', String(port), ...settings.flatMap((setting) => ['-c', setting])], {
      ...user,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`postgres did not start within 120 s:\n${output}`)), 120_000);
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('database system is ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      server.stdout!.on('data', read);
      server.stderr!.on('data', read);
      server.once('exit', (code) => reject(new Error(`postgres exited (${code}):\n${output}`)));
    });
    server.removeAllListeners('exit');
    return server;
  };
  let child = await run();
  const exited = () => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async crash() {
      // Immediate shutdown: every process quits at once, without a checkpoint; the next start recovers from the WAL.
      child.kill('SIGQUIT');
      await exited();
    },
    async restart() {
      child = await run();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        const cleanUp = () => (rmSync(dir, { recursive: true, force: true }), resolve());
        if (child.exitCode !== null || child.signalCode !== null) return cleanUp();
        child.once('exit', cleanUp);
        // Smart shutdown waits for clients that are still saying goodbye (pool.end() returns
        // before their sockets close); a fast shutdown, after a while, for any left connected.
        child.kill('SIGTERM');
        setTimeout(() => child.exitCode === null && child.kill('SIGINT'), 3_000).unref();
      }),
  };
}
